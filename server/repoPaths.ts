// Where things live in the repository (the server, scripts and tests all resolve paths from here).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

/** The nearest folder holding package.json above this module: server/ when run by tsx, build/server/ when compiled. */
function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "package.json"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export const REPO_ROOT = findRepoRoot(path.dirname(fileURLToPath(import.meta.url)));
export const DEFAULT_MODEL_DIR = path.join(REPO_ROOT, "models", "default");
/** The bundled aspect model folder (aspect-level sentiment, issue 22). */
export const DEFAULT_ASPECT_MODEL_DIR = path.join(REPO_ROOT, "models", "aspects");
/** The shared Vietnamese sentiment data (one folder per dataset with train.csv / dev.csv), beside the repo. */
export const SHARED_DATA_DIR = path.resolve(REPO_ROOT, "..", "shared", "data");
/** PhoBERT-base's fastBPE vocabulary (dict.txt) and merges (bpe.codes), from which tokenizer.json is built. */
export const PHOBERT_VOCAB_DIR = path.join(REPO_ROOT, "models", "vi-resources", "phobert-base");
export const SEGMENTER_WORDS_PATH = path.join(REPO_ROOT, "models", "vi-resources", "rdrsegmenter-vnvocab-words.txt");
/** Vietnamese stopwords (one word per line, syllables joined by "_"), left out of word clouds. */
export const STOPWORDS_PATH = path.join(REPO_ROOT, "models", "vi-resources", "vietnamese-stopwords-dash.txt");
/** The hand-written behaviour suite (models/behaviour/README.md). */
export const BEHAVIOUR_SUITE_PATH = path.join(REPO_ROOT, "models", "behaviour", "suite.csv");
