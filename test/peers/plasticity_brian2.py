"""Runs pair and triplet STDP in Brian2 on given spike trains; prints the final weights as JSON.

Used by test/plasticity-brian2.test.ts, the cross-simulator check of engram's plasticity
rules. Input (argv[1], JSON): dt_ms, duration_ms, the pre and post spike trains (index, time)
and a list of cases, each a rule with its parameters, the synapses (i, j), their initial
weights, per-synapse axonal delays and one dendritic delay.

Semantics written out to match docs/plasticity.md: pre spikes reach the synapse after the
axonal delay (the pre pathway's delay), post spikes after the dendritic delay (the post
pathway's). At equal times the post spike comes first (the post pathway runs before the pre
pathway), and a pre and a post spike at the same time do not pair: the post pathway sees the
pre trace before the pre spike of this step, and the pre pathway reads the post trace as it
was before a post spike of this step (apost_b, kept by the post pathway).
"""
import json
import sys

from brian2 import (Synapses, SpikeGeneratorGroup, defaultclock, ms, prefs, run, start_scope)

prefs.codegen.target = 'numpy'

# Increments are written `x = x * keep + 1` (keep = 1 in the namespace), never `x += 1` or
# `x = x + 1`: with the numpy target, `x_b = x` followed by an increment Brian2 turns into an
# in-place one stored the incremented value in x_b too (Brian2 2.5.1; the two names share one
# array), which made Brian2's triplet rule pair simultaneous spikes. A product with a named
# constant is not simplified into an in-place update.

PAIR = dict(
    model='''
        w : 1
        tpost : second
        apost_b : 1
        dapre/dt = -apre / taup : 1 (event-driven)
        dapost/dt = -apost / taum : 1 (event-driven)
    ''',
    on_pre='''
        dep = apost + (apost_b - apost) * int(tpost == t)
        w = clip(w - Am * clip((w - wmin) / (wmax - wmin), 0, 1) ** mum * dep, wmin, wmax)
        apre = apre * (1 - nearest) + 1
    ''',
    on_post='''
        w = clip(w + Ap * clip((wmax - w) / (wmax - wmin), 0, 1) ** mup * apre, wmin, wmax)
        apost_b = apost
        apost = apost * (1 - nearest) + 1
        tpost = t
    ''',
)

TRIPLET = dict(
    model='''
        w : 1
        tpost : second
        o1_b : 1
        dr1/dt = -r1 / tau_plus : 1 (event-driven)
        dr2/dt = -r2 / tau_x : 1 (event-driven)
        do1/dt = -o1 / tau_minus : 1 (event-driven)
        do2/dt = -o2 / tau_y : 1 (event-driven)
    ''',
    on_pre='''
        dep = o1 + (o1_b - o1) * int(tpost == t)
        w = clip(w - dep * (A2m + A3m * r2), wmin, wmax)
        r1 = r1 * keep + 1
        r2 = r2 * keep + 1
    ''',
    on_post='''
        w = clip(w + r1 * (A2p + A3p * o2), wmin, wmax)
        o1_b = o1
        o1 = o1 * keep + 1
        o2 = o2 * keep + 1
        tpost = t
    ''',
)


def run_case(cfg, case):
    start_scope()
    defaultclock.dt = cfg['dt_ms'] * ms
    pre = SpikeGeneratorGroup(cfg['n_pre'], cfg['pre_i'], cfg['pre_t'] * ms)
    post = SpikeGeneratorGroup(cfg['n_post'], cfg['post_i'], cfg['post_t'] * ms)
    p = case['params']
    if case['rule'] == 'stdp':
        ns = dict(taup=p['tau_plus_ms'] * ms, taum=p['tau_minus_ms'] * ms, Ap=p['A_plus'], Am=p['A_minus'],
                  mup=p['mu_plus'], mum=p['mu_minus'], wmin=p['w_min'], wmax=p['w_max'],
                  nearest=1 if p['pairing'] == 'nearest' else 0)
        eqs = PAIR
    else:
        ns = dict(tau_plus=p['tau_plus_ms'] * ms, tau_minus=p['tau_minus_ms'] * ms, tau_x=p['tau_x_ms'] * ms,
                  tau_y=p['tau_y_ms'] * ms, A2p=p['A2_plus'], A3p=p['A3_plus'], A2m=p['A2_minus'],
                  A3m=p['A3_minus'], wmin=p['w_min'], wmax=p['w_max'], keep=1)
        eqs = TRIPLET
    syn = Synapses(pre, post, namespace=ns, delay={'post': case['dendritic_ms'] * ms}, **eqs)
    syn.connect(i=case['i'], j=case['j'])
    syn.w = case['w0']
    syn.tpost = -1e9 * ms
    syn.pre.delay = case['delay_ms'] * ms
    syn.post.order = 0
    syn.pre.order = 1
    run(cfg['duration_ms'] * ms)
    return [float(x) for x in syn.w[:]]


if __name__ == '__main__':
    import numpy as np
    cfg = json.load(open(sys.argv[1]))
    cfg['pre_t'] = np.array(cfg['pre_t'])
    cfg['post_t'] = np.array(cfg['post_t'])
    for case in cfg['cases']:
        case['delay_ms'] = np.array(case['delay_ms'])
    print(json.dumps([run_case(cfg, case) for case in cfg['cases']]))
