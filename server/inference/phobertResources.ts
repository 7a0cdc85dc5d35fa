// Locations of PhoBERT's vocabulary and our segmentation dictionary inside the repository.
import { fileURLToPath } from "node:url";
import path from "node:path";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const DEFAULT_MODEL_DIR = path.join(REPO_ROOT, "models", "default");
export const SEGMENTER_WORDS_PATH = path.join(REPO_ROOT, "models", "vi-resources", "rdrsegmenter-vnvocab-words.txt");
