/**
 * Registers the requests' search attributes (workflows/search-attributes.ts) in a namespace. A
 * workflow that sets an attribute its namespace does not know fails every workflow task, so the
 * system registers them before its worker starts: on the embedded server always, on a cluster when
 * its operator service lets it; otherwise it stops and names the command an operator runs.
 */
import type { Connection } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes';

const { IndexedValueType } = temporal.api.enums.v1;
const INDEXED: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  [SearchAttributeType.KEYWORD]: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  [SearchAttributeType.DATETIME]: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
};
const CLI_TYPE: Record<string, string> = { [SearchAttributeType.KEYWORD]: 'Keyword', [SearchAttributeType.DATETIME]: 'Datetime' };

export class SearchAttributeError extends Error {}

/** The `temporal` CLI commands that register them by hand (for an operator without this system at hand). */
export function searchAttributeCommands(namespace: string): string[] {
  return Object.values(SEARCH_ATTRIBUTES).map(
    (k) => `temporal operator search-attribute create --namespace ${namespace} --name ${k.name} --type ${CLI_TYPE[k.type]}`,
  );
}

/** Adds the attributes the namespace lacks; fails when one exists with another type or they cannot be added. */
export async function registerSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const wanted = Object.values(SEARCH_ATTRIBUTES);
  let known: Record<string, temporal.api.enums.v1.IndexedValueType> | undefined;
  try {
    known = (await connection.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};
  } catch (err) {
    // The time-skipping test server adds attributes but cannot list them.
    if ((err as { code?: number }).code !== 12) throw explain(namespace, err);
  }
  const clash = wanted.filter((k) => known?.[k.name] !== undefined && known[k.name] !== INDEXED[k.type]);
  if (clash.length) {
    throw new SearchAttributeError(
      `Temporal namespace ${namespace} has ${clash.map((k) => k.name).join(', ')} with another type than ${clash.map((k) => CLI_TYPE[k.type]).join(', ')}`,
    );
  }
  const missing = wanted.filter((k) => known?.[k.name] === undefined);
  if (!missing.length) return [];
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((k) => [k.name, INDEXED[k.type]])),
    });
  } catch (err) {
    throw explain(namespace, err);
  }
  return missing.map((k) => k.name);
}

function explain(namespace: string, err: unknown): SearchAttributeError {
  return new SearchAttributeError(
    `The search attributes could not be registered in Temporal namespace ${namespace} (${(err as Error).message}). ` +
      `An operator registers them once:\n  ${searchAttributeCommands(namespace).join('\n  ')}`,
  );
}
