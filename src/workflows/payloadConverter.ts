import { defaultPayloadConverter, type Payload, type PayloadConverter } from '@temporalio/common';

/** What a payload the converter could not decode turns into: a marker the handlers reject, never a thrown error. */
export interface UndecodablePayload {
  readonly flywheelUndecodablePayload: {
    encoding: string;
    bytes: number;
    /** Why decoding failed, bounded. */
    error: string;
  };
}

export function isUndecodable(value: unknown): value is UndecodablePayload {
  return typeof value === 'object' && value !== null && 'flywheelUndecodablePayload' in value;
}

function encodingOf(payload: Payload): string {
  const raw = payload.metadata?.encoding;
  if (!raw) return '(none)';
  // Metadata values are bytes; a bogus one may not even be UTF-8, so keep it printable and short.
  return Array.from(raw.slice(0, 60), (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '?')).join('');
}

/**
 * The default converter (undefined, binary, JSON), except that decoding never throws. A signal or
 * update whose payload has an unknown encoding or bad JSON would otherwise fail every later
 * workflow task of the run ("Unknown encoding"); here it becomes an {@link UndecodablePayload}
 * that the handlers record as a rejected request. Encoding is unchanged, so histories replay.
 */
class TolerantPayloadConverter implements PayloadConverter {
  toPayload<T>(value: T): Payload {
    return defaultPayloadConverter.toPayload(value);
  }

  fromPayload<T>(payload: Payload): T {
    try {
      return defaultPayloadConverter.fromPayload<T>(payload);
    } catch (error) {
      const undecodable: UndecodablePayload = {
        flywheelUndecodablePayload: {
          encoding: encodingOf(payload),
          bytes: payload.data?.length ?? 0,
          error: String((error as Error)?.message ?? error).slice(0, 200),
        },
      };
      return undecodable as T;
    }
  }
}

/** Loaded by name: Worker `dataConverter.payloadConverterPath` and `bundleWorkflowCode({ payloadConverterPath })`. */
export const payloadConverter: PayloadConverter = new TolerantPayloadConverter();
