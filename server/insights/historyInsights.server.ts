// What the dashboard shows about a user's own predictions: label totals, a label count per day in
// Vietnam's time (UTC+7, as the history page shows dates), and the most frequent words per label.
import { VIETNAM_OFFSET_HOURS, vietnamDate, vietnamMidnight } from "#common/time/vietnamTime.ts";
import { Prisma, type PrismaClient } from "../db/generated/client.ts";
import type { TermCount, TermCounter } from "./termCounter.server.ts";

export type InsightsLimits = {
  /** Days shown in the daily chart, today included. */
  days: number;
  /** Word clouds read at most this many of the newest predictions. */
  maxTexts: number;
  /** Words per label's cloud. */
  termsPerLabel: number;
};

export type HistoryInsights = {
  total: number;
  labelCounts: Record<string, number>;
  /** One entry per day, oldest first, days without predictions included. */
  daily: { day: string; counts: Record<string, number> }[];
  terms: Record<string, TermCount[]>;
  /** How many of the newest predictions the word clouds were read from. */
  termsFromTexts: number;
  /** Per aspect found in the user's analyses: counts per polarity, most mentioned first. */
  aspects: AspectShare[];
  /** Analyses that carry aspects (the base of `aspects`). */
  aspectsFromTexts: number;
};

export type AspectShare = { aspect: string; name_vi: string; name_en: string; total: number; counts: { negative: number; neutral: number; positive: number } };

const DAY_MS = 24 * 60 * 60 * 1000;

export async function historyInsights(
  prisma: PrismaClient,
  counter: TermCounter,
  userId: string,
  limits: InsightsLimits,
): Promise<HistoryInsights> {
  const now = Date.now();
  const days = Array.from({ length: limits.days }, (_, i) => vietnamDate(now - (limits.days - 1 - i) * DAY_MS));
  // Midnight in Vietnam of the first day shown, in UTC without a zone like created_at, so the session's
  // TimeZone setting cannot shift the comparison.
  const since = vietnamMidnight(days[0]!).slice(0, 23);
  const [totals, perDay, recent, aspectRows, withAspects] = await Promise.all([
    prisma.prediction.groupBy({ by: ["label"], where: { userId, source: "single" }, _count: { _all: true } }),
    prisma.$queryRaw<{ day: string; label: string; n: bigint }[]>`
      SELECT to_char(created_at + make_interval(hours => ${VIETNAM_OFFSET_HOURS}::int), 'YYYY-MM-DD') AS day, label, count(*) AS n
      FROM predictions
      WHERE user_id = ${userId} AND source = 'single' AND created_at >= ${since}::timestamp
      GROUP BY 1, 2`,
    prisma.prediction.findMany({
      where: { userId, source: "single" },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: limits.maxTexts,
      select: { text: true, label: true },
    }),
    prisma.$queryRaw<{ aspect: string; polarity: string; name_vi: string; name_en: string; n: number }[]>`
      SELECT a->>'aspect' AS aspect, a->>'polarity' AS polarity, max(a->>'name_vi') AS name_vi, max(a->>'name_en') AS name_en, count(*)::int AS n
      FROM predictions p, jsonb_array_elements(p.aspects) a
      WHERE p.user_id = ${userId} AND p.source = 'single' AND p.aspects IS NOT NULL
      GROUP BY 1, 2`,
    prisma.prediction.count({ where: { userId, source: "single", aspects: { not: Prisma.DbNull } } }),
  ]);
  const shares = new Map<string, AspectShare>();
  for (const row of aspectRows) {
    if (row.polarity !== "negative" && row.polarity !== "neutral" && row.polarity !== "positive") continue;
    let share = shares.get(row.aspect);
    if (!share) shares.set(row.aspect, (share = { aspect: row.aspect, name_vi: row.name_vi, name_en: row.name_en, total: 0, counts: { negative: 0, neutral: 0, positive: 0 } }));
    share.counts[row.polarity] += row.n;
    share.total += row.n;
  }

  const labelCounts = Object.fromEntries(totals.map((t) => [t.label, t._count._all]));
  const byDay = new Map(days.map((day) => [day, {} as Record<string, number>]));
  for (const row of perDay) {
    const counts = byDay.get(row.day);
    if (counts) counts[row.label] = Number(row.n);
  }
  const textsByLabel = new Map<string, string[]>();
  for (const { text, label } of recent) {
    const texts = textsByLabel.get(label);
    if (texts) texts.push(text);
    else textsByLabel.set(label, [text]);
  }

  const terms: Record<string, TermCount[]> = await counter.distinctive(Object.fromEntries(textsByLabel), limits.termsPerLabel);

  return {
    total: Object.values(labelCounts).reduce((a, b) => a + b, 0),
    labelCounts,
    daily: days.map((day) => ({ day, counts: byDay.get(day)! })),
    terms,
    termsFromTexts: recent.length,
    aspects: [...shares.values()].sort((a, b) => b.total - a.total || a.aspect.localeCompare(b.aspect)),
    aspectsFromTexts: withAspects,
  };
}
