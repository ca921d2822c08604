import { S2Error, type S2ErrorCode } from '../../errors/index.ts'
import type { AppendInput } from '../../engine/index.ts'
import { ProtobufDecodeError, readAppendInput } from './append-input.ts'

/**
 * Protobuf messages of S2 (`proto/s2.proto`), read and written by hand (append-input.ts,
 * read-batch.ts): protobufjs would build an object per record and header on the way in and out.
 */

/** Decodes an `AppendInput`; undecodable bytes are a 400 with `code` (`bad_proto` unary, `bad_frame` in S2S). */
export function decodeAppendInput(bytes: Uint8Array, code: S2ErrorCode): AppendInput {
  try {
    return readAppendInput(bytes)
  } catch (error) {
    if (error instanceof ProtobufDecodeError) throw new S2Error(code, `invalid protobuf AppendInput: ${error.message}`)
    throw error
  }
}

export { encodeAppendAck, encodeReadBatch } from './read-batch.ts'
