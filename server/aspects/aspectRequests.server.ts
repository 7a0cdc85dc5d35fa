// What the procedures and the batch worker share about aspects: the domain a request asks for (checked once, a
// clear 400 for an unknown one) and running the aspect model when the server has one.
import { AppError } from "../errors.ts";
import { AUTO_DOMAIN, type AspectAnalysis, type AspectModel } from "../inference/aspectModel.server.ts";
import type { Lane } from "../inference/priorityRuns.ts";

/** `auto` when none is given; an id the aspect model does not know is a 400 that lists the ones it does. */
export function checkAspectDomain(model: AspectModel | null, domain: string | undefined, field = "domain"): string {
  const wanted = domain?.trim() || AUTO_DOMAIN;
  if (!model || model.acceptsDomain(wanted)) return wanted;
  const known = [AUTO_DOMAIN, ...model.domains.map((d) => d.id)].join(", ");
  throw new AppError("BAD_REQUEST", "aspects.unknownDomain", `Unknown domain "${wanted}": use one of ${known}`, field);
}

/** One analysis per text, or nulls when the server runs without an aspect model. */
export async function analyseAspectsIfLoaded(model: AspectModel | null, texts: string[], domain: string, lane: Lane): Promise<(AspectAnalysis | null)[]> {
  if (!model) return texts.map(() => null);
  return model.analyseAspects(texts, { domain, lane });
}
