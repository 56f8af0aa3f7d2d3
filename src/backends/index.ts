import type { FlywheelConfig } from '../config/schema.js';
import type { Backend } from '../ports/backend.js';

/**
 * Picks the stage implementations from `backend:` in config. Imported lazily so a local run never
 * loads the AWS SDK and an AWS worker never loads DuckDB.
 */
export async function createBackend(config: FlywheelConfig, home: string): Promise<Backend> {
  switch (config.backend) {
    case 'local': {
      const { createLocalBackend } = await import('./local/index.js');
      return createLocalBackend(config, home);
    }
    case 'aws': {
      const { createAwsBackend } = await import('./aws/index.js');
      return createAwsBackend(config);
    }
  }
}
