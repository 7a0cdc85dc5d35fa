// Where things live in the repository (the server, scripts and tests all resolve paths from here).
import { fileURLToPath } from "node:url";
import path from "node:path";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const DEFAULT_MODEL_DIR = path.join(REPO_ROOT, "models", "default");
export const SEGMENTER_WORDS_PATH = path.join(REPO_ROOT, "models", "vi-resources", "rdrsegmenter-vnvocab-words.txt");
