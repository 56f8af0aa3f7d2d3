import { AthenaClient } from '@aws-sdk/client-athena';
import { GlueClient } from '@aws-sdk/client-glue';
import { S3Client } from '@aws-sdk/client-s3';
import { ConfigError } from '../../config/load.js';
import { translateAccessDenied } from './accessDenied.js';
import type { AwsConfig } from './config.js';

export interface AwsClients {
  region: string;
  s3: S3Client;
  glue: GlueClient;
  athena: AthenaClient;
  destroy(): void;
}

/**
 * One place that builds the SDK clients. Credentials come from the standard provider chain (env,
 * profile, SSO, IMDS/ECS role); the region from config or AWS_REGION; the endpoint from config or the
 * SDK's own AWS_ENDPOINT_URL[_<SERVICE>] variables, so the same code runs against moto. Every client
 * turns AccessDenied into a non-retryable AccessDeniedError naming the action and resource.
 */
export function createAwsClients(aws: AwsConfig, env: NodeJS.ProcessEnv = process.env): AwsClients {
  const region = aws.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) {
    throw new ConfigError('aws.region: not set, and neither AWS_REGION nor AWS_DEFAULT_REGION is in the environment');
  }
  // Standard retry mode retries throttling (incl. Athena TooManyRequests) and 5xx (Glue InternalService)
  // with jittered backoff; errors that need longer waits go through retry.ts on top.
  // Static keys in `env` come first, as the chain takes them from process.env first; read from `env`
  // like everything else here, so a caller (a test running two principals) can pass its own.
  const credentials =
    env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? { credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN || undefined } }
      : {};
  const common = { region, maxAttempts: aws.maxAttempts, retryMode: 'standard' as const, ...credentials };
  // Same precedence as the SDK (service-specific variable, then the global one), but read from `env`
  // so callers and tests can pass their own environment.
  const endpointFor = (service: 'S3' | 'GLUE' | 'ATHENA') =>
    aws.endpoint ?? env[`AWS_ENDPOINT_URL_${service}`] ?? env.AWS_ENDPOINT_URL;
  const withEndpoint = (endpoint: string | undefined) => (endpoint ? { endpoint } : {});
  const s3Endpoint = endpointFor('S3');
  const s3 = new S3Client({
    ...common,
    ...withEndpoint(s3Endpoint),
    // Emulators and private endpoints do not serve virtual-hosted bucket names.
    forcePathStyle: s3Endpoint !== undefined,
  });
  const glue = new GlueClient({ ...common, ...withEndpoint(endpointFor('GLUE')) });
  const athena = new AthenaClient({ ...common, ...withEndpoint(endpointFor('ATHENA')) });
  translateAccessDenied(s3, 's3', region);
  translateAccessDenied(glue, 'glue', region);
  translateAccessDenied(athena, 'athena', region);
  return {
    region,
    s3,
    glue,
    athena,
    destroy() {
      s3.destroy();
      glue.destroy();
      athena.destroy();
    },
  };
}
