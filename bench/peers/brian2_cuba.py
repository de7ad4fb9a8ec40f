#!/usr/bin/python3
"""CUBA in Brian2 (the peer of bench/cuba.ts), as ../shared/peers/ and Brian2's examples/CUBA.py,
with the spike statistics engram reports beside it.

    /usr/bin/python3 brian2_cuba.py cython|cpp_standalone [duration_ms] [N] [seed]

Prints one JSON line: target, N, synapses, spikes, rate_hz, cv_isi (mean over neurons with at
least two ISIs of each neuron's ISI standard deviation / mean), run_s (cython: wall time of
run(); cpp_standalone: the compiled binary's run time, compilation excluded).
"""
import json
import shutil
import sys
import tempfile
import time

import numpy as np
from brian2 import (NeuronGroup, SpikeMonitor, Synapses, defaultclock, device, ms, mV, prefs,
                    run, seed, set_device)

target = sys.argv[1] if len(sys.argv) > 1 else 'cython'
dur = float(sys.argv[2]) if len(sys.argv) > 2 else 1000.0
N = int(sys.argv[3]) if len(sys.argv) > 3 else 4000
rng_seed = int(sys.argv[4]) if len(sys.argv) > 4 else 42

build_dir = tempfile.mkdtemp(prefix='engram-brian2-')
if target == 'cpp_standalone':
    set_device('cpp_standalone', directory=build_dir, build_on_run=False)
else:
    prefs.codegen.target = target
seed(rng_seed)
defaultclock.dt = 0.1 * ms
taum = 20 * ms
taue = 5 * ms
taui = 10 * ms
Vt = -50 * mV
Vr = -60 * mV
El = -49 * mV
eqs = '''dv/dt  = (ge+gi-(v-El))/taum : volt (unless refractory)
dge/dt = -ge/taue : volt
dgi/dt = -gi/taui : volt'''
P = NeuronGroup(N, eqs, threshold='v>Vt', reset='v = Vr', refractory=5 * ms, method='exact')
P.v = 'Vr + rand() * (Vt - Vr)'
we = (60 * 0.27 / 10) * mV
wi = (-20 * 4.5 / 10) * mV
Ne = int(N * 0.8)
Ce = Synapses(P[:Ne], P, on_pre='ge += we')
Ci = Synapses(P[Ne:], P, on_pre='gi += wi')
Ce.connect(p=0.02)
Ci.connect(p=0.02)
mon = SpikeMonitor(P)
t0 = time.perf_counter()
run(dur * ms)
wall = time.perf_counter() - t0
if target == 'cpp_standalone':
    device.build(directory=build_dir, compile=True, run=True, debug=False)
    wall = device._last_run_time
i = np.asarray(mon.i[:])
t = np.asarray(mon.t[:] / ms)
cvs = []
order = np.lexsort((t, i))
i, t = i[order], t[order]
for n in np.unique(i):
    isi = np.diff(t[i == n])
    if len(isi) >= 2 and isi.mean() > 0:
        cvs.append(isi.std() / isi.mean())
n_syn = int(len(Ce) + len(Ci))
shutil.rmtree(build_dir, ignore_errors=True)
print(json.dumps({'target': target, 'N': N, 'synapses': n_syn, 'spikes': int(len(t)),
                  'rate_hz': len(t) / N / (dur / 1000), 'cv_isi': float(np.mean(cvs)) if cvs else None,
                  'run_s': wall}))
