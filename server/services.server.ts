// The long-lived parts of the server, created once at start and closed at shutdown.
import type { Config } from "./config.server.ts";
import { AccountService } from "./auth/accountService.server.ts";
import { ApiTokenService } from "./auth/apiTokens.server.ts";
import { BatchQueue } from "./batches/batchQueue.server.ts";
import type { BatchIntake } from "./batches/batchSubmission.server.ts";
import { AuthService } from "./auth/authService.server.ts";
import { openDatabase, type Database } from "./db/client.server.ts";
import { DatabaseOutage } from "./db/databaseOutage.server.ts";
import type { AspectModel } from "./inference/aspectModel.server.ts";
import type { Classifier, Lane } from "./inference/classifier.server.ts";
import { InferencePool } from "./inference/workerPool.server.ts";
import { createLogger, type Logger } from "./observability/logger.server.ts";
import { createMetrics, type AppMetrics, type InferenceObserver } from "./observability/metrics.server.ts";
import { loadStopwords, TermCounter } from "./insights/termCounter.server.ts";
import { RateLimits } from "./rateLimit/rateLimits.server.ts";
import { SEGMENTER_WORDS_PATH, STOPWORDS_PATH } from "./repoPaths.ts";
import { loadWordDictionary } from "./text/segment.ts";

export type AppServices = {
  config: Config;
  db: Database;
  auth: AuthService;
  apiTokens: ApiTokenService;
  account: AccountService;
  /** The default ("fast") model; null only when MODEL_ENABLED=false. */
  classifier: Classifier | null;
  /** The "accurate" model from ACCURATE_MODEL_DIR; null when unset. */
  accurateClassifier: Classifier | null;
  /** Null when ASPECT_MODEL_ENABLED=false or MODEL_ENABLED=false: analyses then carry no aspects. */
  aspects: AspectModel | null;
  /** The INFERENCE_WORKERS threads every model runs in (null when MODEL_ENABLED=false); closed after the models. */
  inferencePool: InferencePool | null;
  /** Every counted limit: logins, sign-ups, predictions (shared by instances on PostgreSQL). */
  limits: RateLimits;
  /** Notices when the database cannot be reached: one log line per outage, 503 answers meanwhile. */
  databaseOutage: DatabaseOutage;
  /** Word counts for the dashboard's word clouds. */
  terms: TermCounter;
  /** The batch job queue (pg-boss); started and stopped by server/main.ts. */
  batchQueue: BatchQueue;
  /** What the upload route and `batch.create` hand the batch wing to store and queue a batch. */
  batchIntake: BatchIntake;
  logger: Logger;
  metrics: AppMetrics;
};

export async function createServices(
  config: Config,
  loadClassifier: (config: Config, observer: InferenceObserver, pool?: InferencePool) => Promise<Classifier | null>,
  options: { logger?: Logger; loadAspectModel?: (config: Config, pool?: InferencePool) => Promise<AspectModel | null> } = {},
): Promise<AppServices> {
  const logger = options.logger ?? createLogger({ level: config.LOG_LEVEL });
  let db: Database | null = null;
  let queue: BatchQueue | null = null;
  let loaded: Classifier | null = null;
  let loadedAccurate: Classifier | null = null;
  let aspects: AspectModel | null = null;
  const metrics = createMetrics({
    poolStats: () => db?.poolStats?.() ?? null,
    queueDepth: async () => (queue ? (await queue.depth()).queued : null),
    inferenceQueue: () => sumQueues(loaded?.queuedRuns, loadedAccurate?.queuedRuns, aspects?.queuedRuns),
  });
  // Load the model first: a broken model folder should stop start-up before anything touches the database.
  const observer: InferenceObserver = {
    ...metrics.inferenceObserver,
    workerExited(event) {
      logger.error({ err: event.error, exitCode: event.exitCode, retriedRuns: event.retried }, "an inference worker died: replaced, its run retried once");
      metrics.inferenceObserver.workerExited?.(event);
    },
  };
  // One pool of worker threads for every model: the sentence model, the accurate one and the aspect model share
  // INFERENCE_WORKERS workers (at INFERENCE_BATCH_NICE), so two models never oversubscribe the cores, and
  // INFERENCE_INTERACTIVE_WORKERS more at normal priority that only people's requests use.
  const pool = config.MODEL_ENABLED ? new InferencePool(config.INFERENCE_WORKERS, { workerExited: (event) => observer.workerExited?.(event) }, {
    backgroundEvery: config.INFERENCE_BACKGROUND_EVERY, interactiveWorkers: config.INFERENCE_INTERACTIVE_WORKERS, sharedWorkerNice: config.INFERENCE_BATCH_NICE,
  }) : null;
  let classifier: Classifier | null = null;
  let accurateClassifier: Classifier | null = null;
  const closeModels = async () => {
    await Promise.all([classifier?.close(), accurateClassifier?.close(), aspects?.close()]);
    await pool?.close();
  };
  try {
    classifier = await loadClassifier(config, observer, pool ?? undefined);
    loaded = classifier;
    // the same factory a second time, for the second folder: its own session, cache and batching
    accurateClassifier = classifier && config.ACCURATE_MODEL_DIR ? await loadClassifier({ ...config, MODEL_DIR: config.ACCURATE_MODEL_DIR }, observer, pool ?? undefined) : null;
    loadedAccurate = accurateClassifier;
    aspects = (await options.loadAspectModel?.(config, pool ?? undefined)) ?? null;
  } catch (error) {
    await closeModels();
    throw error;
  }
  let database: Database;
  try {
    database = await openDatabase({
      databaseUrl: config.DATABASE_URL, dataDir: config.dataDir, embeddedSharedBuffersMb: config.EMBEDDED_DB_SHARED_BUFFERS_MB,
      timeouts: { connectSeconds: config.DATABASE_CONNECT_TIMEOUT_SECONDS, querySeconds: config.DATABASE_QUERY_TIMEOUT_SECONDS },
    });
  } catch (error) {
    // a locked DATA_DIR or an unreachable database: no worker thread is left running behind the error
    await closeModels();
    throw error;
  }
  db = database;
  const limits = new RateLimits(config, database.pool);
  const apiTokens = new ApiTokenService(database.prisma, { maxPerUser: config.API_TOKENS_PER_USER, maxDays: config.API_TOKEN_MAX_DAYS });
  const auth = new AuthService(database.prisma, limits, {
    sessionTtlHours: config.SESSION_TTL_HOURS,
    minPasswordLength: config.MIN_PASSWORD_LENGTH,
    minPasswordDistinctChars: config.MIN_PASSWORD_DISTINCT_CHARS,
  }, apiTokens);
  const account = new AccountService(database.prisma, auth, apiTokens);
  const terms = new TermCounter(loadWordDictionary(SEGMENTER_WORDS_PATH), loadStopwords(STOPWORDS_PATH));
  const databaseOutage = new DatabaseOutage(() => database.prisma.$queryRaw`SELECT 1`, config.DATABASE_RETRY_AFTER_SECONDS, (line, level) => logger[level](line));
  const batchQueue = new BatchQueue(
    config,
    database,
    () => (classifier ? { prisma: database.prisma, classifier, accurateClassifier, aspects, languageMinWords: config.LANGUAGE_CHECK_MIN_WORDS,
      onPredictions: (labels: string[], kind: "fast" | "accurate") => metrics.recordPredictions(labels, "batch", kind), terms, wordCloudTerms: config.WORDCLOUD_TERMS, wordCloudMaxTexts: config.BATCH_WORDCLOUD_MAX_TEXTS } : null),
    {
      // pg-boss polls through an outage: one line for the outage (databaseOutage), not one per poll.
      error: (error) => void (databaseOutage.classify(error) ?? logger.error({ err: error }, "batch queue error")),
      rowsStored: (rows) => metrics.addBatchRowsProcessed(rows, "ok"),
    },
  );
  queue = batchQueue;
  const batchIntake: BatchIntake = { prisma: database.prisma, config, models: { classifier, accurateClassifier }, aspects, queue: batchQueue };
  return { config, db: database, auth, apiTokens, account, classifier, accurateClassifier, aspects, inferencePool: pool, limits, databaseOutage, terms, batchQueue, batchIntake, logger, metrics };
}

export async function closeServices(services: AppServices): Promise<void> {
  services.databaseOutage.stop();
  await services.classifier?.close();
  await services.accurateClassifier?.close();
  await services.aspects?.close();
  await services.inferencePool?.close();
  await services.db.close();
}

/** ONNX runs waiting per lane, both models together (one /metrics gauge). */
function sumQueues(...queues: (Record<Lane, number> | undefined)[]): Record<Lane, number> | null {
  const present = queues.filter((q): q is Record<Lane, number> => q !== undefined);
  if (present.length === 0) return null;
  return { interactive: present.reduce((a, q) => a + q.interactive, 0), background: present.reduce((a, q) => a + q.background, 0) };
}
