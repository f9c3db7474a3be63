/**
 * Every payload Temporal stores (workflow inputs, update arguments and results, activity inputs
 * and results, continue-as-new state) is encrypted with AES-256-GCM before it leaves this
 * process, so Temporal's history and Web UI hold no personal data in clear. Keys have ids: the
 * first key encrypts, every key decrypts, so a key is rotated by putting a new one first and
 * keeping the old ones while histories written with them may still be read.
 *
 * AES-GCM is authenticated: a payload that decrypts was made by a holder of a key, that is, by the
 * system. A payload in clear was not: a Temporal client without the key (the `temporal` CLI, say)
 * can reach the server, but what it sends is decoded as the unsealed mark, which the workflows
 * refuse (an update's validator, a workflow's start) before anything is recorded. Payloads in clear
 * are read as they are only by the replay of histories recorded before payloads were encrypted, and
 * by a system told to for an upgrade (SILVER_PLAINTEXT_PAYLOADS=accept): `acceptPlaintext`.
 */
import crypto from 'node:crypto';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { UNSEALED_MARK } from '../workflows/messages';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
const KEY_ID = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface PayloadKey {
  id: string;
  key: Buffer;
}

const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array | null | undefined) => (b ? new TextDecoder().decode(b) : undefined);

/** What a payload in clear is decoded as: JSON `{ "$unsealed": true }`. */
const UNSEALED_PAYLOAD: Payload = { metadata: { encoding: text('json/plain') }, data: text(JSON.stringify({ [UNSEALED_MARK]: true })) };

export class EncryptionCodec implements PayloadCodec {
  private readonly byId: Map<string, Buffer>;

  constructor(
    private readonly keys: readonly PayloadKey[],
    /** Read payloads in clear as they are: only for replaying histories recorded before encryption. */
    private readonly options: { acceptPlaintext?: boolean } = {},
  ) {
    if (keys.length === 0) throw new Error('The payload codec needs at least one key');
    for (const k of keys) if (k.key.length !== 32) throw new Error(`Payload key ${k.id} is not 32 bytes`);
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const { id, key } = this.keys[0];
    return payloads.map((p) => {
      const iv = crypto.randomBytes(IV_BYTES);
      const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(id));
      const plain = temporal.api.common.v1.Payload.encode(p).finish();
      const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return { metadata: { encoding: text(ENCRYPTED_ENCODING), [KEY_ID]: text(id) }, data: sealed };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => {
      if (str(p.metadata?.encoding) !== ENCRYPTED_ENCODING) return this.options.acceptPlaintext ? p : UNSEALED_PAYLOAD;
      const id = str(p.metadata?.[KEY_ID]) ?? '';
      const key = this.byId.get(id);
      if (!key) throw new Error(`A payload was encrypted with key "${id}", which is not among the payload keys`);
      const data = Buffer.from(p.data ?? []);
      const decipher = crypto.createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(id));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}

/** The data converter of every client and worker of the system: the default one, encrypted. */
export function encryptedDataConverter(keys: readonly PayloadKey[], options: { acceptPlaintext?: boolean } = {}): DataConverter {
  return { payloadCodecs: [new EncryptionCodec(keys, options)] };
}

const KEY_LINE = /^([A-Za-z0-9_.-]{1,64}):([A-Za-z0-9+/=_-]+)$/;

/**
 * Keys written as `id:base64-of-32-bytes`, newest first, separated by commas or new lines (the
 * form of SILVER_PAYLOAD_KEY and of the key file). Throws a message naming what is wrong.
 */
export function parsePayloadKeys(spec: string): PayloadKey[] {
  const entries = spec
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new Error('no key given');
  const keys = entries.map((entry, i) => {
    const m = KEY_LINE.exec(entry);
    if (!m) throw new Error(`key ${i + 1} is not written as id:base64-key`);
    const key = Buffer.from(m[2], 'base64');
    if (key.length !== 32) throw new Error(`key "${m[1]}" is ${key.length} bytes; AES-256 needs 32 (base64 of 32 random bytes)`);
    return { id: m[1], key };
  });
  if (new Set(keys.map((k) => k.id)).size !== keys.length) throw new Error('two keys have the same id');
  return keys;
}

/** A new key, with an id telling when it was made. */
export function newPayloadKey(now = new Date()): string {
  return `k${now.toISOString().replace(/\D/g, '').slice(0, 14)}:${crypto.randomBytes(32).toString('base64')}`;
}
