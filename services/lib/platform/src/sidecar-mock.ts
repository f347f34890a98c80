/**
 * msw handlers for a mocked Dapr sidecar, shared by the unit tests of every package: the
 * metadata endpoint the SDK polls on first use, and a recorder of what the app sent.
 */
import { HttpResponse, http } from 'msw';

export const MOCK_SIDECAR_PORT = 43500;
export const MOCK_SIDECAR = `http://127.0.0.1:${MOCK_SIDECAR_PORT}`;

/** One request the app sent to its sidecar, as the sidecar saw it. */
export interface SidecarCall {
  method: string;
  path: string;
  search: URLSearchParams;
  headers: Headers;
  body: string;
}

/** Records every call, answered by the given handler (204 by default, like daprd). */
export function recordingSidecar(
  answer: (call: SidecarCall) => Response | Promise<Response> = () => new HttpResponse(null, { status: 204 }),
) {
  const calls: SidecarCall[] = [];
  const handlers = [
    // @dapr/dapr polls this on first use until the body is non-empty.
    http.get(`${MOCK_SIDECAR}/v1.0/metadata`, () => HttpResponse.json({ id: 'mock', components: [] })),
    http.all(`${MOCK_SIDECAR}/v1.0/*`, async ({ request }) => {
      const url = new URL(request.url);
      const call: SidecarCall = {
        method: request.method,
        path: url.pathname,
        search: url.searchParams,
        headers: request.headers,
        body: await request.text(),
      };
      calls.push(call);
      return answer(call);
    }),
  ];
  return { calls, handlers };
}
