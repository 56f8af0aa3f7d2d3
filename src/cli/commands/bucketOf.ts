import { HIVE_BUCKET_TYPES, hiveV1Bucket, type HiveBucketType, type HiveBucketValue } from '../../domain/hiveBucketing.js';
import { badInput, EXIT_OK } from '../errors.js';
import { loadContext, parsePositiveInt, type CommonOptions } from '../options.js';

export interface BucketOfOptions extends CommonOptions {
  type?: string;
  count?: string;
}

/** A command-line word as a value of the bucket column's Hive type. */
function valueOf(word: string, type: HiveBucketType): HiveBucketValue {
  switch (type) {
    case 'string':
    case 'date':
      return word;
    case 'bigint':
      if (!/^-?\d+$/.test(word)) throw badInput(`not a bigint: ${word}`);
      return BigInt(word);
    case 'boolean':
      if (word !== 'true' && word !== 'false') throw badInput(`not a boolean (true/false): ${word}`);
      return word === 'true';
    default:
      if (!/^-?\d+$/.test(word)) throw badInput(`not an integer: ${word}`);
      return Number(word);
  }
}

/**
 * `flywheel bucket-of <value…>`: the Hive v1 bucket Athena (and the local engine) puts each value of
 * the bucket column in, and the file name it is in (`<bucket:06>_0_…` on both backends).
 */
export async function bucketOfCommand(values: string[], options: BucketOfOptions): Promise<number> {
  const ctx = loadContext(options);
  const type = (options.type ?? 'string') as HiveBucketType;
  if (!HIVE_BUCKET_TYPES.includes(type)) throw badInput(`--type must be one of ${HIVE_BUCKET_TYPES.join(', ')} (got ${options.type})`);
  const count = options.count === undefined ? ctx.config.bucketing.count : parsePositiveInt('--count', options.count);
  if (values.length === 0) throw badInput('give at least one value of the bucket column');
  const answers = values.map((value) => {
    const bucket = hiveV1Bucket(type, valueOf(value, type), count);
    return { value, bucket, bucketCount: count, filePrefix: `${String(bucket).padStart(6, '0')}_0_` };
  });
  if (ctx.json) process.stdout.write(`${JSON.stringify(answers, null, 2)}\n`);
  else for (const a of answers) process.stdout.write(`${a.value}\tbucket ${a.bucket} of ${a.bucketCount}\tfile ${a.filePrefix}*\n`);
  return EXIT_OK;
}
