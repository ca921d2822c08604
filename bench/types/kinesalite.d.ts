/** kinesalite ships no types; the part the benchmarks use. */
declare module 'kinesalite' {
  import type { Server } from 'node:http'

  export interface KinesaliteOptions {
    createStreamMs?: number
    deleteStreamMs?: number
    updateStreamMs?: number
    shardLimit?: number
    path?: string
    ssl?: boolean
  }

  /** Returns an http.Server (not yet listening) serving the Kinesis JSON API from memory. */
  export default function kinesalite(options?: KinesaliteOptions): Server
}
