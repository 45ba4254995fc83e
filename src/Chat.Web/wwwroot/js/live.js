// The page's one SignalR connection to /hubs/discussion, shared by everything on the page that is
// live (the thread, the front page, the header's inbox count): one socket per page, not one each,
// and one life cycle: the parts of a page never start, stop or restart it themselves, they
// register callbacks for its transitions (onHubConnected, onHubReconnecting, onHubClosed).
//
// startHub() may be called by several parts at once; they share one start. A connection that
// closes (the server asked us to reconnect, or automatic reconnection gave up) is started again,
// and every part's onHubConnected callback runs after each (re)connection, to join again whatever
// it had joined: a new connection has no group memberships.
//
// The page's own calls (posts, edits, votes, flags, read marks) go through viaHubOrHttp, which
// counts those in flight on the hub: when the server says Reconnect (it is shutting down, and
// answers what it has before it closes anything), the page waits for their answers before it
// stops the connection, so that none is cut off and needs retrying.

import { ServerEvents } from './events.js';
import { reloadKeepingPlace } from './reload.js';

/**
 * What this page's scripts expect of the hub (PageProtocol.Current on the server), sent when
 * connecting: a node that no longer serves it says Reload. Raised only with a change that an older
 * hub or an older page could not work with (docs/operations.md, "Upgrades").
 */
export const PAGE_PROTOCOL = 1;

/** How long the page waits, after Reconnect, for its calls in flight (the server waits 10 s by default). */
const SETTLE_MS = 10000;

let connection = null;
let starting = null;
let restartTimer = 0;
let reconnectNow = false;
let leaving = false;
let callsInFlight = 0;
const settledWaiters = new Set();
const connectedCallbacks = [];
const reconnectingCallbacks = [];
const closedCallbacks = [];

/** The page's connection (built on first use), or null where the SignalR client is not loaded. */
export function hubConnection() {
  if (connection) return connection;
  if (typeof signalR === 'undefined') return null;
  connection = new signalR.HubConnectionBuilder()
    .withUrl(`/hubs/discussion?page=${PAGE_PROTOCOL}`)
    .withAutomaticReconnect([0, 1000, 2000, 5000, 5000, 10000])
    .build();
  connection.on(ServerEvents.reconnect, leaveNode);
  connection.on(ServerEvents.reload, reloadKeepingPlace);
  connection.onreconnecting(() => runAll(reconnectingCallbacks));
  connection.onreconnected(() => runAll(connectedCallbacks));
  connection.onclose(() => {
    runAll(closedCallbacks);
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
 * attempt failed (the onHubClosed callbacks run and the next attempt is scheduled).
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
    () => { starting = null; runAll(connectedCallbacks); },
    e => { starting = null; runAll(closedCallbacks); scheduleRestart(); throw e; });
  return starting;
}

/**
 * Drops the connection so that the life cycle starts it again in a few seconds: for a part that
 * could not join again after a (re)connection, and must not stay connected without its group.
 */
export function restartHub() {
  connection?.stop();
}

/** Runs `fn` after every (re)connection from now on, and now if connected already. */
export function onHubConnected(fn) {
  connectedCallbacks.push(fn);
  if (isHubConnected()) safely(fn);
}

/** Runs `fn` whenever the connection is lost and automatic reconnection begins. */
export function onHubReconnecting(fn) {
  reconnectingCallbacks.push(fn);
}

/** Runs `fn` whenever the connection closed, or an attempt to start it failed: a restart follows. */
export function onHubClosed(fn) {
  closedCallbacks.push(fn);
}

/**
 * The page's one fallback: a call over the hub while it is connected, else the HTTP endpoint that
 * does the same (the server treats both alike, e.g. the same clientId de-duplication for posts).
 * Each argument is a function returning a promise: only the chosen one is called.
 */
export function viaHubOrHttp(hubCall, httpCall) {
  if (leaving || !isHubConnected()) return httpCall();
  callsInFlight++;
  return Promise.resolve()
    .then(() => hubCall(connection))
    .finally(() => {
      if (--callsInFlight === 0) for (const settled of [...settledWaiters]) settled();
    });
}

/**
 * The web node is shutting down. Once the page's calls in flight have their answers (at most
 * SETTLE_MS; calls made meanwhile go over HTTP), stop, and connect again at once: the load balancer
 * picks another node, and every part joins again from where it was (a thread from its last seq),
 * so nothing is missed.
 */
async function leaveNode() {
  if (leaving) return;
  leaving = true;
  try {
    await callsSettled(SETTLE_MS);
    reconnectNow = true;
    await connection.stop();
  } finally {
    leaving = false;
  }
}

/** Resolves once no call made through viaHubOrHttp is in flight on the hub, or after `ms`. */
function callsSettled(ms) {
  if (callsInFlight === 0) return Promise.resolve();
  return new Promise(resolve => {
    const settled = () => { clearTimeout(timer); settledWaiters.delete(settled); resolve(); };
    const timer = setTimeout(settled, ms);
    settledWaiters.add(settled);
  });
}

function runAll(callbacks) {
  for (const fn of callbacks) safely(fn);
}

function safely(fn) {
  Promise.resolve().then(fn).catch(e => console.warn('after a connection change', e));
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
  c.on(ServerEvents.inbox, message => render(Number(message?.unread) || 0));
  onHubConnected(async () => {
    const result = await c.invoke('JoinInbox');
    render(Number(result?.unread) || 0);
    document.body.dataset.inbox = 'live'; // for tests: pushes of the count reach this page from now on
  });
  startHub().catch(e => console.warn('connecting for the inbox count failed', e));
}
