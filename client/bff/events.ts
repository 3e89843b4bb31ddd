import { bffFetch } from './fetch.ts';

/** One server-sent event: its `event:` name (default `message`) and its `data:` lines joined. */
export interface BffEvent {
  event: string;
  data: string;
}

/**
 * Reads a `text/event-stream` from the BFF (an `/api` route whose upstream streams events). Not
 * EventSource: that cannot send the `X-CSRF: 1` header every `/api` call needs, so this is
 * `bffFetch` plus a small parser of the stream (WHATWG HTML, "server-sent events", minus `retry`).
 * Resolves when the stream ends, rejects as `bffFetch` does; abort `signal` to stop listening.
 * @see CONTRACT.md, second part, "WebSocket and server-sent events"
 */
export async function bffEvents(path: string, onEvent: (event: BffEvent) => void, signal?: AbortSignal): Promise<void> {
  const response = await bffFetch(path, { headers: { accept: 'text/event-stream' }, ...(signal ? { signal } : {}) });
  if (response.body === null) return;
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  let event = 'message';
  let data: string[] = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffered += value;
    let newline: number;
    while ((newline = buffered.search(/\r\n|\r|\n/)) !== -1) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + (buffered.startsWith('\r\n', newline) ? 2 : 1));
      if (line === '') {
        if (data.length > 0) onEvent({ event, data: data.join('\n') });
        event = 'message';
        data = [];
      } else if (!line.startsWith(':')) {
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        const v = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event = v;
        else if (field === 'data') data.push(v);
      }
    }
  }
}
