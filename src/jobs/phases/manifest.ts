import {
  exportManifest,
  MANIFEST_NAME,
  MANIFEST_PARTITION,
  SUCCESS_NAME,
} from '../../tasks/manifest-document.ts';
import { profileOf, type StoredRequest, splitsOf } from '../../tasks/task-model.ts';
import { taskOutputRoot } from '../../tasks/task-outputs.ts';
import { fileId } from './export-files.ts';
import type { JobRun, Phase, PhaseDeps, PhaseResult } from './phase.ts';

/**
 * A `manifest` job, the last of an export: writes `manifest.json` (every file the export recorded,
 * with its rows, bytes and checksum) and then `_SUCCESS` at the task's output root; the task
 * completes at the time the manifest says.
 */
export class ManifestPhase implements Phase {
  constructor(private readonly deps: PhaseDeps) {}

  engine(): undefined {
    return undefined;
  }

  async run({ task, lease, lap }: JobRun): Promise<PhaseResult> {
    const { store, storage, outputPath } = this.deps;
    const [files, schema, stored] = await Promise.all([
      store.listFiles(task.id),
      store.exportSchema(task.id),
      // A claim leaves the figures out; a saved audience's run, a profile or split export list them.
      listsFigures(task.request as StoredRequest)
        ? store.findTask(task.organizationId, task.id, this.deps.now())
        : undefined,
    ]);
    const root = taskOutputRoot(storage, outputPath, task);
    const completedAt = this.deps.now();
    const manifest = exportManifest({
      task,
      files: files.filter((file) => file.partition !== MANIFEST_PARTITION),
      schema,
      root,
      completedAt,
      defaultCompression: this.deps.compression ?? 'snappy',
      figures: stored?.figuresJson ? JSON.parse(stored.figuresJson) : null,
    });
    await lease.hold();
    const written = await storage.write(
      storage.join(root, MANIFEST_NAME),
      `${JSON.stringify(manifest, null, 2)}\n`,
    );
    await storage.write(storage.join(root, SUCCESS_NAME), '');
    lap('write');
    const file = {
      id: fileId(task.id, written.uri),
      partition: MANIFEST_PARTITION,
      uri: written.uri,
      rows: 0,
      sizeBytes: written.sizeBytes,
      sha256: null,
    };
    return { settle: 'record', outcome: { counts: {}, files: [file] }, at: completedAt, files: files.length };
  }
}

/** The manifest lists some of the task's figures: a saved audience's run, a profile or split export. */
function listsFigures({ audience, plan }: StoredRequest): boolean {
  return audience !== undefined || profileOf(plan) !== null || splitsOf(plan) !== null;
}
