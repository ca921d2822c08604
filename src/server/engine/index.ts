export { Engine, type AppendListener, type AppendSessionTarget, type Durability, type ResetScope, type AppendInput, type EngineOptions, type StreamAddress, type UnaryReadResult } from './engine.ts'
export { ReadSession, type Delivered, type ReadEvent, type HeartbeatInterval } from './read-session.ts'
export { type ReadRequest, type ReadStart, UNARY_MAX_WAIT_MS } from './read-params.ts'
