import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.ts';

/** The keys that sign login tokens and download links. */
export interface ServiceSecrets {
  jwt: string;
  link: string;
}

/**
 * The signing secrets of this start: those the environment gives, else each read from its file in
 * DATA_DIR, generated there on the first start so later starts sign alike (tokens and links
 * outlive a restart). With DATABASE_URL the configuration already required both.
 */
export function ensureSecrets(config: Pick<Config, 'server' | 'secrets'>): ServiceSecrets {
  const { dataDir } = config.server;
  return {
    jwt: config.secrets.jwt ?? secretFile(dataDir, 'jwt-secret'),
    link: config.secrets.link ?? secretFile(dataDir, 'link-secret'),
  };
}

function secretFile(dataDir: string, file: string): string {
  const target = path.join(dataDir, file);
  try {
    return fs.readFileSync(target, 'utf8').trim();
  } catch {
    fs.mkdirSync(dataDir, { recursive: true });
    const value = randomBytes(48).toString('base64url');
    // `wx`: two processes starting on one fresh folder must not each write a secret of their own.
    fs.writeFileSync(target, value, { mode: 0o600, flag: 'wx' });
    return value;
  }
}
