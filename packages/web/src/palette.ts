/**
 * Okabe–Ito: distinguishable with every common colour-vision deficiency. Good/bad is never
 * told by red vs green alone: blue = better / positive, vermillion = worse / negative, and
 * every such mark also carries a sign or an arrow.
 */
export const SERIES = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#000000', '#F0E442'];
export const GOOD = '#0072B2';
export const BAD = '#B8420A'; // darker vermillion: 4.9:1 on white for text
export const NEUTRAL = '#6B7280';
export const SENTIMENT: Record<string, string> = { positive: GOOD, negative: BAD, neutral: NEUTRAL, mixed: '#8A6D00' };
/** Sequential (low → high) for heat maps: light to dark blue, readable in greyscale too. */
export const HEAT = ['#F7FBFF', '#C6DBEF', '#6BAED6', '#2171B5', '#08306B'];
/** Diverging (bad → good) for scores: vermillion → light grey → blue. */
export const DIVERGING = ['#B8420A', '#F4A582', '#F2F2F2', '#92C5DE', '#0B5394'];
