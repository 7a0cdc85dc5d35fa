import { Classifier } from "./server/inference/classifier.server.ts";
const c = await Classifier.load("/tmp/smoke", { threads: 1, batchSize: 32, batchWaitMs: 5 });
console.log(await c.classify(["Sản phẩm rất tốt", "tệ quá", "a ".repeat(600)]));
await c.close();
