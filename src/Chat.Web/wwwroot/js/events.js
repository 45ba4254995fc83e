// The names of the events the server pushes to pages over /hubs/discussion: the method names of
// the hub's typed client (IDiscussionClient) on the server. The SignalR client matches them
// case-insensitively; every connection.on(...) on every page names its event from here.
export const ServerEvents = Object.freeze({ comments: 'Comments', updates: 'Updates', threadPoints: 'ThreadPoints', threadLocked: 'ThreadLocked', typing: 'Typing', viewers: 'Viewers', frontPage: 'FrontPage', inbox: 'Inbox', modQueue: 'ModQueue', searchMatches: 'SearchMatches', searchWithdrawn: 'SearchWithdrawn', reconnect: 'Reconnect', reload: 'Reload' });
