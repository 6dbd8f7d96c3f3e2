import fs from 'node:fs';
import path from 'node:path';

/** What `audiences login` saves for later commands. */
export interface Profile {
  /** The API the profile belongs to. */
  url: string;
  email?: string;
  /** The login's JWT: account routes (keys) need it; task routes take it too until it expires. */
  token?: string;
  token_expires_at?: string;
  /** An API key created by `login --create-key` or `keys create --save`: does not expire. */
  api_key?: string;
  client_id?: string;
}

interface ProfileFile {
  profiles: Record<string, Profile>;
}

/**
 * Saved profiles in one JSON file, `profiles.json` in the command line's config folder. The file
 * holds secrets, so it is written with mode 0600 (and its folder 0700), through a temporary file
 * renamed over the old one so a crash never leaves half a file.
 */
export class ProfileStore {
  readonly file: string;

  constructor(readonly dir: string) {
    this.file = path.join(dir, 'profiles.json');
  }

  private read(): ProfileFile {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { profiles: {} };
      throw error;
    }
    const parsed = JSON.parse(text) as Partial<ProfileFile>;
    return { profiles: parsed.profiles ?? {} };
  }

  /** The profile saved under `name`, if any. */
  get(name: string): Profile | undefined {
    return this.read().profiles[name];
  }

  /** Saves (replaces) the profile `name`. */
  set(name: string, profile: Profile): void {
    const content = this.read();
    content.profiles[name] = profile;
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const temporary = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
    // The mode of writeFileSync applies only to a new file and is masked by the umask: set it outright.
    fs.chmodSync(temporary, 0o600);
    fs.renameSync(temporary, this.file);
  }
}
