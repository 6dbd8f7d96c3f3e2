import { Worker } from 'node:worker_threads';

/**
 * What a new password must be: long enough and hard to guess. Length beats composition rules
 * (NIST SP 800-63B), so there are no "one digit, one symbol" rules; strength is zxcvbn's estimate
 * against leaked-password lists, English words and names, keyboard patterns, dates and the user's own
 * details.
 */
export const MIN_PASSWORD_LENGTH = 12;

/**
 * zxcvbn's score runs 0–4; 4 means at least 10^10 guesses. At 3, a common word padded with a year and
 * symbols (`password2024!!`, `Summer2024!!`) still passes; at 4 it does not, while a few unrelated
 * words (`violet-Tangerine-Harbor-42`) do.
 */
const MIN_SCORE = 4;

/**
 * Only this many leading characters are scored: zxcvbn's cost grows steeply with length (seconds for
 * 256 characters), and a password whose first 64 characters are strong is strong.
 */
const SCORED_LENGTH = 64;

interface Strength {
  score: number;
  warning: string | null;
  suggestions: string[];
}

/** How long the meter's worker waits for another check before it ends. */
const IDLE_MS = 5_000;

/**
 * zxcvbn in a worker thread (`password-strength-worker.js`), started for a check and ended once no
 * check has come for IDLE_MS. Its dictionaries hold about 60 MB and made the main heap grow some
 * 170 MB more at the peak of an export (measured), which the API process should not carry for the
 * registrations it rarely serves; starting it costs about 0.2 s (more on a busy machine), paid once
 * per burst of registrations and password changes rather than by each.
 * A worker that fails rejects the checks it holds and is replaced on the next one.
 */
class StrengthMeter {
  private worker: Worker | undefined;
  private idle: NodeJS.Timeout | undefined;
  private readonly pending = new Map<number, { resolve(s: Strength): void; reject(e: Error): void }>();
  private nextId = 0;

  check(password: string, userInputs: string[]): Promise<Strength> {
    const worker = this.start();
    const id = this.nextId++;
    return new Promise<Strength>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, password, userInputs });
    });
  }

  private start(): Worker {
    clearTimeout(this.idle);
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./password-strength-worker.js', import.meta.url), {
      workerData: { maxLength: SCORED_LENGTH },
    });
    // An idle meter never keeps the process alive.
    worker.unref();
    worker.on('message', ({ id, ...strength }: Strength & { id: number }) => {
      this.pending.get(id)?.resolve(strength);
      this.pending.delete(id);
      if (this.pending.size > 0) return;
      clearTimeout(this.idle);
      this.idle = setTimeout(() => this.stop(worker), IDLE_MS);
      this.idle.unref();
    });
    const fail = (error: Error) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      for (const { reject } of this.pending.values()) reject(error);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the password strength worker exited (${code})`)));
    this.worker = worker;
    return worker;
  }

  private stop(worker: Worker): void {
    if (this.worker !== worker || this.pending.size > 0) return;
    this.worker = undefined;
    void worker.terminate();
  }
}

const meter = new StrengthMeter();

/** Who is registering: the e-mail and names a password must not be built from. */
export interface PasswordOwner {
  email: string;
  names: readonly string[];
}

/** The problem with a password, or undefined when it is acceptable. */
export async function passwordProblem(password: string, owner: PasswordOwner): Promise<string | undefined> {
  if (password.length < MIN_PASSWORD_LENGTH) {
    return `must be at least ${MIN_PASSWORD_LENGTH} characters; a few unrelated words make a strong one`;
  }
  const local = owner.email.split('@')[0]?.toLowerCase() ?? '';
  // zxcvbn only lowers the score for it, and a long password can still reach 4 around the e-mail.
  if (local.length >= 4 && password.toLowerCase().includes(local)) {
    return 'must not contain your e-mail address';
  }
  const { score, warning, suggestions } = await meter.check(password.slice(0, SCORED_LENGTH), [
    owner.email,
    local,
    ...owner.names,
  ]);
  if (score >= MIN_SCORE) return undefined;
  // zxcvbn explains only scores up to 2; a 3 gets the generic advice.
  const advice = [warning, ...suggestions].filter(Boolean).join(' ');
  return `is too easy to guess: ${advice || 'Add more words that are less common.'}`;
}
