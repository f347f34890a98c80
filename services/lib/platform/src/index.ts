/**
 * @todo/platform: what every app of the todo-chatbot shares to talk to its Dapr sidecar.
 * - `createSidecar`: the sidecar client (publish, later state, reminders, bindings), throwing on failure.
 * - `requireSidecarToken`: the guard on the routes the sidecar calls.
 */
export {
  createSidecar,
  type PublishOptions,
  type Sidecar,
  SidecarError,
  type SidecarOptions,
} from './sidecar-client.ts';
export { requireSidecarToken } from './sidecar-token.ts';
