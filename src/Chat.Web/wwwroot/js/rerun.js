// One run at a time of an async job (reading a list again), however often it is asked for: a call
// while it runs makes it run once more afterwards, so the last call always sees the newest state.

/** Returns a function that runs `job` as described; it resolves when the runs it caused are done. */
export function rerunning(job) {
  let running = null;
  return function run() {
    if (running) {
      running.again = true;
      return running.promise;
    }
    const state = { again: false };
    state.promise = (async () => {
      try {
        do {
          state.again = false;
          await job();
        } while (state.again);
      } finally {
        running = null;
      }
    })();
    running = state;
    return state.promise;
  };
}
