/**
 * What a new password must be: long enough and not one attackers try first. Length beats
 * composition rules (NIST SP 800-63B), so there are no "one digit, one symbol" rules.
 */
export const MIN_PASSWORD_LENGTH = 12;

// The most common passwords and the words they are built from (from public breach lists); a
// password that is one of these, or one of these padded with digits and symbols, is refused.
// biome-ignore format: a word list reads better packed
const COMMON = new Set([
  'password', 'passw0rd', 'p@ssword', 'p@ssw0rd', 'qwerty', 'qwertyuiop', 'qwertyuiopasdfghjkl', 'asdfghjkl',
  'zxcvbnm', 'letmein', 'welcome', 'admin', 'administrator', 'iloveyou', 'monkey', 'dragon', 'football',
  'baseball', 'basketball', 'soccer', 'hockey', 'sunshine', 'princess', 'superman', 'batman', 'master',
  'shadow', 'michael', 'jennifer', 'jordan', 'hunter', 'trustno', 'starwars', 'whatever', 'freedom',
  'charlie', 'killer', 'pokemon', 'computer', 'internet', 'secret', 'changeme', 'default', 'login',
  'abc', 'abcdef', 'abcdefg', 'abcdefgh', 'abcdefghijkl', 'abcdefghijklmnop', 'azerty', 'qazwsx', 'qweasd',
  'zaq', 'zaqxsw', 'mypassword', 'yourpassword', 'thepassword', 'passwordpassword', 'welcomewelcome',
  'iloveyouiloveyou', 'loveme', 'lovely', 'blink', 'flower', 'cheese', 'summer', 'winter', 'spring',
  'autumn', 'google', 'facebook', 'linkedin', 'microsoft', 'apple', 'samsung', 'audiences', 'delivr',
  'correcthorsebatterystaple', 'onetwothree', 'test', 'testing', 'tester', 'guest', 'user', 'root', 'toor',
  'access', 'mustang', 'ginger', 'pepper', 'cookie', 'matrix', 'ninja', 'nothing', 'solo', 'zxcvbn',
]);

/** The problem with a password, or undefined when it is acceptable. */
export function passwordProblem(password: string, email: string): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH) {
    return `must be at least ${MIN_PASSWORD_LENGTH} characters; a few unrelated words make a strong one`;
  }
  const lower = password.toLowerCase();
  const core = lower.replace(/[^a-z]/g, '');
  if (core === '' || COMMON.has(core) || COMMON.has(lower)) {
    return 'is too common (it appears in lists of leaked passwords); choose a few unrelated words instead';
  }
  if (new Set(lower).size < 4) return 'repeats too few characters; choose a few unrelated words instead';
  const local = email.split('@')[0]?.toLowerCase() ?? '';
  if (local.length >= 4 && lower.includes(local)) return 'must not contain your e-mail address';
  return undefined;
}
