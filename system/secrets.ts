/**
 * Secrets the system keeps in its data dir: the bootstrap admin key and the payload keys. Each
 * file is readable by its owner only: written with mode 0600, and tightened back to it (with a
 * warning) if it was found open to others.
 */
import fs from 'node:fs';
import path from 'node:path';
import { newPayloadKey, parsePayloadKeys, type PayloadKey } from '../temporal/codec';
import type { Config } from './config';
import type { Mode } from './runtime';

export class SecretFileError extends Error {}

/** The file's content, or undefined when there is none; its mode made 0600 if it was wider. */
export function readSecretFile(file: string, warn: (msg: string) => void): string | undefined {
  if (!fs.existsSync(file)) return undefined;
  const mode = fs.statSync(file).mode & 0o777;
  if (mode & 0o077) {
    fs.chmodSync(file, 0o600);
    warn(`${file} was readable by others (mode ${mode.toString(8)}); it is now readable by its owner only`);
  }
  return fs.readFileSync(file, 'utf8');
}

/** Writes a new secret file, readable by its owner only; refuses to overwrite one. */
export function writeSecretFile(file: string, content: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, content, { mode: 0o600, flag: 'wx' });
  fs.chmodSync(file, 0o600);
}

/**
 * The keys that encrypt Temporal payloads: SILVER_PAYLOAD_KEY when set, else the key file in the
 * data dir, which `npm start` (mode all) creates on first start. An API or worker process of its
 * own must share its keys with the others, so it never makes one up.
 */
export function payloadKeys(config: Config, mode: Mode, warn: (msg: string) => void): { keys: PayloadKey[]; note?: string } {
  if (config.payloadKeys) return { keys: config.payloadKeys };
  const file = path.join(config.dataDir, 'payload-keys');
  const stored = readSecretFile(file, warn);
  if (stored !== undefined) {
    try {
      return { keys: parsePayloadKeys(stored) };
    } catch (err) {
      throw new SecretFileError(`The payload key file ${file} is damaged: ${(err as Error).message}`);
    }
  }
  if (mode !== 'all') {
    throw new SecretFileError(
      `Running the ${mode} on its own needs SILVER_PAYLOAD_KEY, the same in every API and worker process (or ${file}).`,
    );
  }
  writeSecretFile(file, `${newPayloadKey()}\n`);
  return { keys: parsePayloadKeys(fs.readFileSync(file, 'utf8')), note: `  Payload key      generated into ${file}` };
}
