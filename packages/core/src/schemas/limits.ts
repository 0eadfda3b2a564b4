/** Hard limits on what one request may carry. Shared by the API, the importer and the docs. */
export const LIMITS = {
  /** Records in one batch request. */
  batchRecords: 10_000,
  /** Bytes of one request body (a full batch of short records fits comfortably). */
  bodyBytes: 32 * 1024 * 1024,
  /** Characters of a free text (ticket body, verbatim, review). */
  longText: 20_000,
  /** Characters of a short string (names, keys, ids). */
  shortText: 200,
  /** Characters of a medium string (subject lines, choice labels). */
  mediumText: 1_000,
  /** Answers in one response. */
  answers: 200,
  /** Keys in an attributes / properties map. */
  mapKeys: 100,
} as const;
