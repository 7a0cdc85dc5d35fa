// `npm run bench -- --explain`: how long one occlusion explanation of a 100-word text takes with the bundled model
// (target: under 150 ms on the project's machine), next to one plain classification of the same text. Never an assertion.
import { Classifier } from "../server/inference/classifier.server.ts";

/** A 100-word review (counted in segmented words, the unit occlusion removes), built from real review phrases. */
function hundredWordText(classifier: Classifier): string {
  const phrases = [
    "Nhân viên phục vụ nhiệt tình,", "đồ ăn ngon,", "giá hợp lý", "nhưng chờ hơi lâu.", "Pin tụt nhanh quá,", "máy nóng khi chơi game.",
    "Màn hình đẹp,", "loa to và rõ.", "Giao hàng nhanh,", "đóng gói cẩn thận,", "sẽ ủng hộ shop lần sau.", "Camera chụp đêm hơi tệ.",
  ];
  let text = "";
  for (let i = 0; classifier.preprocess(text).split(" ").filter(Boolean).length < 100; i++) text += `${text ? " " : ""}${phrases[i % phrases.length]}`;
  const words = text.split(" ");
  while (classifier.preprocess(words.join(" ")).split(" ").length > 100) words.pop();
  return words.join(" ");
}

export async function benchExplain(modelDir: string, threads: number, runs = 20) {
  const classifier = await Classifier.load(modelDir, { threads, batchSize: 32, batchWaitMs: 0 });
  const text = hundredWordText(classifier);
  const words = classifier.preprocess(text).split(" ").length;
  const median = async (work: () => Promise<unknown>) => {
    await work();
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await work();
      times.push(performance.now() - t0);
    }
    return Math.round([...times].sort((a, b) => a - b)[Math.floor(runs / 2)]! * 10) / 10;
  };
  const tokenCount = (await classifier.classify([text]))[0]!.tokenCount;
  const explainMs = await median(() => classifier.explain(text, 1000));
  const classifyMs = await median(() => classifier.classify([text]));
  await classifier.close();
  return {
    explain_words: words,
    explain_tokens: tokenCount,
    explain_median_ms: explainMs,
    classify_same_text_median_ms: classifyMs,
    explain_over_classify: Math.round((explainMs / classifyMs) * 10) / 10,
    explain_target_ms: 150,
    explain_runs: runs,
  };
}
