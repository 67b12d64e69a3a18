// Following a watch route as Server-Sent Events, with resumption.
//
// EventSource reconnects by itself after a dropped connection and sends the last `id:` it saw
// as Last-Event-ID, so the stream resumes after it and nothing is lost or repeated. When the
// browser gives up (the server answered an error, or was down when it retried), we open a new
// EventSource ourselves with the last id as `resume_token`. A resume token too old to serve
// (409 conflict: FAILED_PRECONDITION, RESUME_TOKEN_EXPIRED) calls `onReset`: the caller reloads its list and
// the watch starts afresh. No polling anywhere.

import {apiUrl} from './api.js';

export function follow(path, params, {onEvent, onReset, onState}) {
  let lastId = null;
  let source = null;
  let closed = false;
  let retryTimer = 0;
  let retryDelay = 500;

  const open = () => {
    if (closed) return;
    const query = {...params};
    if (lastId) query.resume_token = lastId;
    const resuming = Boolean(lastId);
    let opened = false;
    source = new EventSource(apiUrl(path, query), {withCredentials: true});
    const handle = (message) => {
      if (message.lastEventId) lastId = message.lastEventId;
      retryDelay = 500;
      let event = null;
      try { event = JSON.parse(message.data); } catch { return; }
      onEvent(event);
    };
    source.addEventListener('open', () => { opened = true; onState && onState('live'); });
    source.addEventListener('snapshot', handle);
    source.addEventListener('changed', handle);
    source.addEventListener('done', () => { close(); onState && onState('done'); });
    source.addEventListener('error', (message) => {
      // An `event: error` from the server carries the envelope; a network error has no data.
      if (message.data) {
        let envelope = null;
        try { envelope = JSON.parse(message.data); } catch { envelope = null; }
        source.close();
        const reason = envelope && envelope.detail ? String(envelope.detail) : '';
        if (/resume/i.test(reason) || (envelope && envelope.code === 409)) {
          lastId = null;
          onReset && onReset();
        }
        reopenLater();
        return;
      }
      onState && onState('reconnecting');
      if (source.readyState === EventSource.CLOSED) {
        // Refused before any event: the token may be what the server refuses. Start afresh.
        if (resuming && !opened) { lastId = null; onReset && onReset(); }
        reopenLater();
      }
    });
  };

  const reopenLater = () => {
    if (closed) return;
    clearTimeout(retryTimer);
    retryTimer = setTimeout(open, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 10000);
  };

  const close = () => {
    closed = true;
    clearTimeout(retryTimer);
    if (source) source.close();
  };

  open();
  return {close, get lastId() { return lastId; }};
}
