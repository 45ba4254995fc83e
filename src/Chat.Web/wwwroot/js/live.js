// The page's one SignalR connection to /hubs/discussion, shared by everything on the page that is
// live (the thread, the front page, the header's inbox count): one socket per page, not one each.
//
// startHub() may be called by several parts at once; they share one start. A connection that
// closes (the server asked us to reconnect, or automatic reconnection gave up) is started again,
// and every part's onHubConnected callback runs after each (re)connection, to join again whatever
// it had joined: a new connection has no group memberships.

let connection = null;
let starting = null;
let restartTimer = 0;
let reconnectNow = false;
const connectedCallbacks = [];

/** The page's connection (built on first use), or null where the SignalR client is not loaded. */
export function hubConnection() {
  if (connection) return connection;
  if (typeof signalR === 'undefined') return null;
  connection = new signalR.HubConnectionBuilder()
    .withUrl('/hubs/discussion')
    .withAutomaticReconnect([0, 1000, 2000, 5000, 5000, 10000])
    .build();
  // The web node is shutting down: connect again at once (the load balancer picks another node).
  connection.on('reconnect', () => {
    reconnectNow = true;
    connection.stop();
  });
  connection.onreconnected(() => runConnectedCallbacks());
  connection.onclose(() => {
    scheduleRestart(reconnectNow ? 0 : 3000);
    reconnectNow = false;
  });
  return connection;
}

export function isHubConnected() {
  return !!connection && connection.state === signalR.HubConnectionState.Connected;
}

/**
 * Starts the connection unless it is started or starting. Resolves once connected; rejects if this
 * attempt failed (a retry is scheduled by whoever calls it again, or by the close handler).
 */
export function startHub() {
  const c = hubConnection();
  if (!c) return Promise.reject(new Error('The SignalR client is not loaded on this page.'));
  if (c.state === signalR.HubConnectionState.Connected) return Promise.resolve();
  if (starting) return starting;
  if (c.state !== signalR.HubConnectionState.Disconnected) {
    // Connecting or reconnecting on its own: onreconnected runs the callbacks.
    return new Promise((resolve, reject) => {
      const wait = setInterval(() => {
        if (c.state === signalR.HubConnectionState.Connected) { clearInterval(wait); resolve(); }
        else if (c.state === signalR.HubConnectionState.Disconnected) { clearInterval(wait); reject(new Error('not connected')); }
      }, 100);
    });
  }
  starting = c.start().then(
    () => { starting = null; runConnectedCallbacks(); },
    e => { starting = null; scheduleRestart(); throw e; });
  return starting;
}

/** Runs `fn` after every (re)connection from now on, and now if connected already. */
export function onHubConnected(fn) {
  connectedCallbacks.push(fn);
  if (isHubConnected()) safely(fn);
}

function runConnectedCallbacks() {
  for (const fn of connectedCallbacks) safely(fn);
}

function safely(fn) {
  Promise.resolve().then(fn).catch(e => console.warn('after connecting', e));
}

function scheduleRestart(delay = 3000) {
  if (restartTimer) return;
  restartTimer = setTimeout(() => {
    restartTimer = 0;
    if (connection && connection.state === signalR.HubConnectionState.Disconnected) startHub().catch(() => {});
  }, delay);
}

/**
 * The header's live unread-reply count for a signed-in user: calls `render(unread)` with the count
 * after each (re)connection and on every `inbox` push.
 */
export function watchInbox(render) {
  const c = hubConnection();
  if (!c) return;
  c.on('inbox', message => render(Number(message?.unread) || 0));
  onHubConnected(async () => {
    const result = await c.invoke('JoinInbox');
    render(Number(result?.unread) || 0);
    document.body.dataset.inbox = 'live'; // for tests: pushes of the count reach this page from now on
  });
  startHub().catch(e => console.warn('connecting for the inbox count failed', e));
}
