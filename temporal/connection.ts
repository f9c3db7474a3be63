import fs from 'node:fs';
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { msNumberToTs } from '@temporalio/common/lib/time';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import type { Config } from '../system/config';

/** Connection options for a Temporal cluster, with TLS / API key for hosted ones (Temporal Cloud). */
export function connectionOptions(config: Config['temporal'], address: string): ConnectionOptions & NativeConnectionOptions {
  const read = (p?: string) => (p ? fs.readFileSync(p) : undefined);
  const tls = config.tls
    ? {
        serverNameOverride: config.tlsServerName,
        serverRootCACertificate: read(config.tlsCa),
        clientCertPair: config.tlsCert ? { crt: read(config.tlsCert)!, key: read(config.tlsKey)! } : undefined,
      }
    : undefined;
  return { address, tls, apiKey: config.apiKey };
}

export async function connectClient(
  config: Config['temporal'],
  address: string,
  dataConverter: DataConverter,
): Promise<{ client: Client; connection: Connection }> {
  const connection = await Connection.connect(connectionOptions(config, address));
  return { client: new Client({ connection, namespace: config.namespace, dataConverter }), connection };
}

export async function connectWorker(config: Config['temporal'], address: string): Promise<NativeConnection> {
  return NativeConnection.connect(connectionOptions(config, address));
}

/**
 * How long Temporal keeps a closed request's history (its own copy of what the request said):
 * no longer than the case record keeps personal data, and at least the one day Temporal requires.
 */
export async function limitClosedHistoryRetention(client: Client, namespace: string, seconds: number): Promise<number> {
  const kept = Math.max(86_400, Math.ceil(seconds));
  await client.workflowService.updateNamespace({ namespace, config: { workflowExecutionRetentionTtl: msNumberToTs(kept * 1000) } });
  return kept;
}
