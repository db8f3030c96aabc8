import { InvalidOptionError, type MetricSpec } from '@archlab/core';

/** Every proxy this package computes, in the order scores are reported. */
export const PROXIES = [
  'synflow',
  'snip',
  'grasp',
  'fisher',
  'grad_norm',
  'jacob_cov',
  'params',
  'flops',
] as const;

export type ProxyName = (typeof PROXIES)[number];

/** Proxies that read a minibatch of the data set (the others need the network alone). */
export const DATA_PROXIES: readonly ProxyName[] = ['snip', 'grasp', 'fisher', 'grad_norm', 'jacob_cov'];

/** What the combined `zc` estimator ranks by when given no `proxies` option. */
export const DEFAULT_COMBINED_PROXIES: readonly ProxyName[] = ['synflow', 'jacob_cov'];

/**
 * The score of an architecture whose proxy is not a finite number (jacob_cov of a network
 * whose input gradient is constant, a synflow beyond float32's range): finite, so a search
 * can store and compare it, and below any real value of every proxy, so it ranks last.
 */
export const UNDEFINED_SCORE = -1e30;

const DESCRIPTIONS: Readonly<Record<ProxyName, string>> = {
  synflow: 'synaptic flow of the sign-linearised network on an all-ones input (data-free)',
  snip: 'sum over conv/dense weights of |weight × loss gradient| on one minibatch',
  grasp: 'sum over conv/dense weights of −weight × (Hessian × gradient) on one minibatch',
  fisher: 'sum over conv/dense output channels of the Fisher information ½·mean(Σ activation × gradient)²',
  grad_norm: 'sum over conv/dense layers of the L2 norm of the weight gradient on one minibatch',
  jacob_cov: 'NASWOT-style score of the correlation of input Jacobians across one minibatch',
  params: 'trainable parameters (as a proxy: more is predicted better)',
  flops: 'multiply-adds per image (as a proxy: more is predicted better)',
};

/** The metric a proxy is reported as: named after it, larger predicted better. */
export function proxyMetric(proxy: ProxyName): MetricSpec {
  return { name: proxy, direction: 'max', description: DESCRIPTIONS[proxy] };
}

export function isProxyName(name: string): name is ProxyName {
  return (PROXIES as readonly string[]).includes(name);
}

/**
 * Proxy names from a comma-separated list (`synflow,jacob_cov`) or an array, in the order
 * given, without repeats. An unknown or missing name is an InvalidOptionError listing the known ones.
 */
export function parseProxies(list: string | readonly string[], owner = 'zero-cost proxies'): ProxyName[] {
  const names = (typeof list === 'string' ? list.split(',') : list).map((n) => n.trim()).filter(Boolean);
  const unknown = names.filter((n) => !isProxyName(n));
  if (unknown.length || names.length === 0) {
    const what = unknown.length
      ? `unknown proxy ${unknown.map((n) => `'${n}'`).join(', ')}`
      : 'no proxy given';
    throw new InvalidOptionError(`${owner}: ${what}; known proxies: ${PROXIES.join(', ')}`);
  }
  return [...new Set(names as ProxyName[])];
}
