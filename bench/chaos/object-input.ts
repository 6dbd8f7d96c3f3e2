import { type Fault, type FaultProxy, type SeenRequest, startFaultProxy } from '../../harness/s3-faults.ts';
import { type S3Server, startS3 } from '../../harness/s3rver.ts';
import type { Random } from './random.ts';

/** The bucket and prefix the run's intent tree is uploaded under. */
export const INPUT_BUCKET = 'intent';
export const INPUT_PREFIX = 'tree';
/** Share of the input requests a fault window breaks. */
const FAULT_SHARE = 0.5;
/** A stall lasts 2-12 s: some outlast the deployment's STORAGE_TIMEOUT (10 s) and are retried. */
const STALL_MS = [2_000, 12_000] as const;

/** What the proxy did, per fault kind, over the whole run. */
export type InjectedFaults = Partial<Record<Fault['kind'], number>>;

/**
 * The chaos run's intent tree on an object store that misbehaves now and then: a private s3rver
 * (in this process, on 127.0.0.1, its files in the run's folder) behind the fault proxy of
 * harness/s3-faults.ts. Outside a fault window every request goes through as it is; inside one,
 * half of them get a random fault: 503 SlowDown, 500, a reset or a clean close halfway through
 * the body (Content-Length still says the whole), a stall of 2-12 s before the answer or halfway
 * through its body. Outputs stay in the local OUTPUT_PATH folder, so the end checks read them as
 * before; the oracle reads the same tree from the local folder it was uploaded from.
 */
export class ObjectInput {
  readonly injected: InjectedFaults = {};
  /** Requests the proxy has seen so far, faulted or not. */
  requests = 0;
  private faulty = false;

  private constructor(
    private readonly s3: S3Server,
    private readonly proxy: FaultProxy,
    private readonly rng: Random,
  ) {}

  /** INTENT_INPUT_PATH of the deployment. */
  get inputPath(): string {
    return `s3://${INPUT_BUCKET}/${INPUT_PREFIX}`;
  }

  /** The environment that points the deployment's S3 client at the proxy. */
  get env(): Record<string, string> {
    return {
      ...this.proxy.env,
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_REGION: 'us-east-1',
      S3_REGION: 'us-east-1',
      STORAGE_TIMEOUT: '10s',
    };
  }

  /** Starts s3rver in `dir`, uploads `tree` and puts the proxy in front (faults off). */
  static async start(dir: string, tree: string, rng: Random): Promise<ObjectInput> {
    const s3 = await startS3({ directory: dir });
    await s3.createBucket(INPUT_BUCKET);
    await s3.uploadTree(tree, INPUT_BUCKET, INPUT_PREFIX);
    let input: ObjectInput | undefined;
    const proxy = await startFaultProxy(s3, (request) => input?.plan(request));
    input = new ObjectInput(s3, proxy, rng);
    return input;
  }

  /** Switches the faults on (a window opens) or off. */
  setFaulty(on: boolean): void {
    this.faulty = on;
  }

  async close(): Promise<void> {
    await this.proxy.close();
    await this.s3.close();
  }

  /** The fault for one request: none outside a window, for half of them inside one. */
  private plan(request: SeenRequest): Fault | undefined {
    // The proxy keeps every request it saw; a long run only needs the counts.
    this.proxy.seen.length = 0;
    this.requests += 1;
    if (!this.faulty || request.bucket !== INPUT_BUCKET || !this.rng.chance(FAULT_SHARE)) return undefined;
    const kind = this.rng.pick(['slowdown', 'internal', 'reset', 'truncate', 'stall', 'stallBody'] as const);
    this.injected[kind] = (this.injected[kind] ?? 0) + 1;
    return kind === 'stall' || kind === 'stallBody'
      ? { kind, ms: this.rng.int(STALL_MS[0], STALL_MS[1]) }
      : { kind };
  }
}
