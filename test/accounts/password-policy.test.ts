import { describe, expect, it } from 'vitest';
import { passwordProblem } from '../../src/accounts/password-policy.ts';

const grace = { email: 'grace.hopper@example.com', names: ['Grace', 'Hopper', 'Cobol Systems'] };

describe('passwordProblem', () => {
  it.each(['violet-Tangerine-Harbor-42', 'Quokka-Lantern-Meridian-8731', 'Kettle-Orbit-Maple'])(
    'accepts a few unrelated words: %j',
    async (password) => {
      expect(await passwordProblem(password, grace)).toBeUndefined();
    },
  );

  it('checks the length first, whatever else is wrong', async () => {
    expect(await passwordProblem('password', grace)).toMatch(/^must be at least 12 characters/);
  });

  it.each([
    ['password1234', /commonly used password/],
    ['qwertyuiop123', /commonly used password/],
    ['iloveyou2024!', /commonly used password/],
    ['P@ssw0rd2024!', /commonly used password.*Avoid predictable letter substitutions/],
    // A common word padded with a year and symbols scores 3 of 4: refused, with the generic advice.
    ['password2024!!', /^is too easy to guess: Add more words that are less common\.$/],
    ['Summer2024!!', /^is too easy to guess: Add more words/],
    ['abcdefghijklmnop', /sequences like "abc"/],
  ])('refuses %j and says what to change', async (password, message) => {
    expect(await passwordProblem(password, grace)).toMatch(message);
  });

  it('answers checks made at once, each with its own verdict, and one made after they settled', async () => {
    const passwords = ['violet-Tangerine-Harbor-42', 'password1234', 'Kettle-Orbit-Maple', 'Summer2024!!'];
    const verdicts = await Promise.all(passwords.map((password) => passwordProblem(password, grace)));
    expect(verdicts.map((verdict) => verdict === undefined)).toEqual([true, false, true, false]);
    // No check waits now: the worker waits a while for the next one, then ends.
    expect(await passwordProblem('password1234', grace)).toMatch(/commonly used password/);
  });

  it('refuses a password containing the e-mail name even when it is otherwise strong', async () => {
    expect(await passwordProblem('grace.hopper-Tangerine-Harbor-42', grace)).toBe(
      'must not contain your e-mail address',
    );
  });

  it("refuses a password built from the user's names that would pass for someone else", async () => {
    const stranger = { email: 'someone@example.com', names: ['Ada', 'Lovelace', 'Acme'] };
    expect(await passwordProblem('HopperGrace1906!', stranger)).toBeUndefined();
    expect(await passwordProblem('HopperGrace1906!', grace)).toMatch(/^is too easy to guess/);
  });

  it('judges a very long password by its first 64 characters', async () => {
    const strongStart = `${'violet-Tangerine-Harbor-42-Quokka-Lantern-Meridian-8731-'.padEnd(64, 'x')}${'a'.repeat(192)}`;
    expect(await passwordProblem(strongStart, grace)).toBeUndefined();
    expect(await passwordProblem(`${'password'.repeat(8)}violet-Tangerine-Harbor-42`, grace)).toMatch(
      /^is too easy to guess/,
    );
  });
});
