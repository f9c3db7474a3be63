/** Empty activities for the benchmark baselines. */
export function createBaselineActivities() {
  return {
    async noop(): Promise<void> {},
  };
}
