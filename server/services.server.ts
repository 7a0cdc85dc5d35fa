// The long-lived parts of the server, created once at start and closed at shutdown.
import type { Config } from "./config.server.ts";
import { AuthService } from "./auth/authService.server.ts";
import { openDatabase, type Database } from "./db/client.server.ts";
import type { Classifier } from "./inference/classifier.server.ts";
import { createLogger, type Logger } from "./observability/logger.server.ts";
import { createMetrics, type AppMetrics, type InferenceObserver } from "./observability/metrics.server.ts";
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
  logger: Logger;
  metrics: AppMetrics;
};

export async function createServices(
  config: Config,
  loadClassifier: (config: Config, observer: InferenceObserver) => Promise<Classifier | null>,
  options: { logger?: Logger } = {},
): Promise<AppServices> {
  const logger = options.logger ?? createLogger({ level: config.LOG_LEVEL });
  let db: Database | null = null;
  const metrics = createMetrics({ poolStats: () => db?.poolStats?.() ?? null });
  // Load the model first: a broken model folder should stop start-up before anything touches the database.
  const classifier = await loadClassifier(config, metrics.inferenceObserver);
  db = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.dataDir });
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
  return { config, db, auth, classifier, anonymousPredictions, terms, logger, metrics };
}

export async function closeServices(services: AppServices): Promise<void> {
  await services.classifier?.close();
  await services.db.close();
}
