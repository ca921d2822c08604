import type { S2EmulatorOptions } from './options.ts'

/**
 * The defaults of {@link S2EmulatorOptions}. A module of its own so that importing the package's
 * entry point does not load what validating options needs (persistence, fault rules).
 */
export const emulatorDefaults = {
  port: 0,
  host: '127.0.0.1',
  idleTimeoutMs: 30_000,
  maxConnections: 4096,
  cors: true,
  deletionDelayMs: 100,
  trimDelayMs: 100,
  backgroundIntervalMs: 60_000,
  heartbeatMs: [5000, 15000] as const,
  journalSize: 1000,
  journalRecordBytes: 64 * 1024,
  journalNamespaceBytes: 16 * 1024 * 1024,
  persistFlushIntervalMs: 5,
  persistFsync: true,
} satisfies S2EmulatorOptions
