import type { ZxcvbnFactory } from '@zxcvbn-ts/core';

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
 * 256 characters, on the event loop of an unauthenticated route), and a password whose first 64
 * characters are strong is strong.
 */
const SCORED_LENGTH = 64;

let strength: Promise<ZxcvbnFactory> | undefined;

/** Built on first use: the dictionaries take a few hundred milliseconds to load and index. */
function strengthMeter(): Promise<ZxcvbnFactory> {
  strength ??= Promise.all([
    import('@zxcvbn-ts/core'),
    import('@zxcvbn-ts/language-common'),
    import('@zxcvbn-ts/language-en'),
  ]).then(
    ([{ ZxcvbnFactory }, common, en]) =>
      new ZxcvbnFactory({
        dictionary: { ...common.dictionary, ...en.dictionary },
        graphs: common.adjacencyGraphs,
        translations: en.translations,
        maxLength: SCORED_LENGTH,
        // Each allowed substitution multiplies the variants tried; leaked passwords rarely use more.
        l33tMaxSubstitutions: 8,
      }),
  );
  return strength;
}

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
  const meter = await strengthMeter();
  const { score, feedback } = meter.check(password, [owner.email, local, ...owner.names]);
  if (score >= MIN_SCORE) return undefined;
  // zxcvbn explains only scores up to 2; a 3 gets the generic advice.
  const advice = [feedback.warning, ...feedback.suggestions].filter(Boolean).join(' ');
  return `is too easy to guess: ${advice || 'Add more words that are less common.'}`;
}
