/** Follows a server-sent events stream in the background, collecting its `notification` frames. */
export interface SseReader<T> {
  readonly events: { id: string; event: string; data: T }[];
  close(): void;
}

export async function followSse<T = unknown>(
  url: string,
  headers: Record<string, string>,
): Promise<SseReader<T>> {
  const abort = new AbortController();
  const res = await fetch(url, { headers, signal: abort.signal });
  if (res.status !== 200) throw new Error(`SSE stream ${url} answered ${res.status}`);
  const events: SseReader<T>['events'] = [];
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          const id = /^id: (.*)$/m.exec(frame)?.[1];
          const event = /^event: (.*)$/m.exec(frame)?.[1] ?? 'message';
          if (data && id) events.push({ id, event, data: JSON.parse(data) as T });
          end = buffer.indexOf('\n\n');
        }
      }
    } catch {
      // closed
    }
  })();
  return { events, close: () => abort.abort() };
}
