/** Merges per-job `{partition: rows}` objects (a partition belongs to one job per phase, so sums are exact). */
export function mergeCounts(parts: ReadonlyArray<Record<string, number> | null>): Record<string, number> {
  const merged: Record<string, number> = {};
  for (const part of parts) {
    if (!part) continue;
    for (const [partition, rows] of Object.entries(part)) merged[partition] = (merged[partition] ?? 0) + rows;
  }
  return merged;
}
