// The long-lived parts of the server, created once at start and closed at shutdown.
import type { Config } from "./config.server.ts";
import { BatchQueue } from "./jobs/batchQueue.server.ts";
import { SliceGate, SLICES_IN_FLIGHT } from "./batches/batchProcessing.server.ts";
import { AuthService } from "./auth/authService.server.ts";
import { openDatabase, type Database } from "./db/client.server.ts";
import type { Classifier } from "./inference/classifier.server.ts";
import { loadStopwords, TermCounter } from "./insights/termCounter.server.ts";
import { SlidingWindowCounter } from "./rateLimit/slidingWindowCounter.server.ts";
import { SEGMENTER_WORDS_PATH, STOPWORDS_PATH } from "./repoPaths.ts";
import { loadWordDictionary } from "./text/segment.ts";

export type AppServices = {
  config: Config;
  db: Database;
  auth: AuthService;
  /** Null only when MODEL_ENABLED=false. */
  classifier: Classifier | null;
  /** Predictions by visitors without an account, per client IP per minute. */
  anonymousPredictions: SlidingWindowCounter;
  /** Word counts for the dashboard's word clouds. */
  terms: TermCounter;
  /** The batch job queue (pg-boss); started and stopped by server/main.ts. */
  batchQueue: BatchQueue;
};

export async function createServices(
  config: Config,
  loadClassifier: (config: Config) => Promise<Classifier | null>,
): Promise<AppServices> {
  // Load the model first: a broken model folder should stop start-up before anything touches the database.
  const classifier = await loadClassifier(config);
  const db = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.dataDir });
  const auth = new AuthService(db.prisma, {
    sessionTtlHours: config.SESSION_TTL_HOURS,
    minPasswordLength: config.MIN_PASSWORD_LENGTH,
    maxFailuresPerIp: config.LOGIN_MAX_FAILURES_PER_IP,
    maxFailuresPerAccount: config.LOGIN_MAX_FAILURES_PER_ACCOUNT,
    failureWindowMinutes: config.LOGIN_FAILURE_WINDOW_MINUTES,
    registrationsPerIpPerHour: config.REGISTRATIONS_PER_IP_PER_HOUR,
  });
  const anonymousPredictions = new SlidingWindowCounter(config.ANONYMOUS_PREDICTIONS_PER_MINUTE, 60_000);
  const terms = new TermCounter(loadWordDictionary(SEGMENTER_WORDS_PATH), loadStopwords(STOPWORDS_PATH));
  const gate = new SliceGate(SLICES_IN_FLIGHT);
  const batchQueue = new BatchQueue(config, db, () =>
    classifier ? { prisma: db.prisma, classifier, terms, inferenceSlice: config.BATCH_INFERENCE_SLICE, gate, wordCloudTerms: config.WORDCLOUD_TERMS, wordCloudMaxTexts: config.BATCH_WORDCLOUD_MAX_TEXTS } : null,
  );
  return { config, db, auth, classifier, anonymousPredictions, terms, batchQueue };
}

export async function closeServices(services: AppServices): Promise<void> {
  await services.classifier?.close();
  await services.db.close();
}
