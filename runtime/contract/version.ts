/**
 * The version of the contract between the operator and its workload pods: the
 * role configuration the operator writes into a pod (FLUXORA_CONFIG) and the
 * summary the pod writes back as its termination message. Both carry it as
 * `contract`; a reader that finds another version (an operator and an image of
 * different Fluxora releases) fails with a ContractError that says so, instead
 * of misreading fields. Bump it on any change a reader of the other version
 * would misread.
 */
export const CONTRACT_VERSION = 1;

/** ContractError says a config or summary cannot be read: another contract version, or a field that breaks the schema. */
export class ContractError extends Error {
  /** `ContractMismatch` (another version) or `InvalidSummary` / `InvalidConfig` (schema). */
  readonly reason: 'ContractMismatch' | 'InvalidSummary' | 'InvalidConfig';
  constructor(reason: ContractError['reason'], message: string) {
    super(message);
    this.name = 'ContractError';
    this.reason = reason;
  }
}

/** issueText renders the first zod issue as `path: message` (the path as `a.b[0].c`). */
export function issueText(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  const issue = issues[0];
  if (!issue) return 'invalid';
  const path = issue.path.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`)).join('');
  return `${path || '(root)'}: ${issue.message}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}`;
}

/**
 * checkVersion reads `contract` from a parsed config or summary and throws a
 * ContractMismatch ContractError when it is not CONTRACT_VERSION; `writer` and
 * `reader` name the two sides in the message.
 */
export function checkVersion(value: unknown, writer: string, reader: string): void {
  const version = (value as { contract?: unknown } | null)?.contract;
  if (version === CONTRACT_VERSION) return;
  const spoken = version === undefined ? 'no contract version (a release before versioned contracts)' : `contract version ${JSON.stringify(version)}`;
  throw new ContractError(
    'ContractMismatch',
    `${writer} speaks ${spoken}, ${reader} speaks ${CONTRACT_VERSION}: run the operator and the workload image of the same Fluxora release`,
  );
}
