#!/usr/bin/env python3
"""peer_mesa.py: the declared payments economy (shared/benchmarks/payments_economy.md) in Mesa,
for bench/bench_peer.c to time when Mesa is installed (`python3 -c 'import mesa'`).

Written after the declared specification in the idiomatic style its reference describes
(per-agent methods, AgentSet.shuffle_do, a plain list of merchants for O(1) random choice;
self.random for uniforms, choices, samples and the lognormal, self.rng for the Poisson count),
so the timing compares like with like. It was written on a machine without Mesa and is checked
only by the invariant below and by bench_peer printing its figures beside the cited ones.

usage: python3 bench/peer_mesa.py N [DAYS=30] [SEED=1]
prints one line: residents, days, seconds (model set-up + steps), ecny_payments, adopters.
"""
import math
import sys
import time

import mesa

P, Q = 0.002, 0.05
FUND, TOPUP, TOPUP_BELOW = 50000, 20000, 5000
BANKS = 6


class Resident(mesa.Agent):
    def __init__(self, model):
        super().__init__(model)
        self.bank = model.random.randrange(BANKS)
        self.adopted = False
        self.balance = 0
        self.contacts = []

    def decide(self):
        if self.adopted:
            return
        k = sum(1 for c in self.contacts if c.adopted)
        if self.random.random() < P + Q * k / 8:
            self.model.new_adopters.append(self)

    def shop(self):
        m = self.model
        for _ in range(int(m.rng.poisson(2))):
            mer = m.merchant_list[self.random.randrange(len(m.merchant_list))]
            amount = max(1, math.floor(math.exp(self.random.gauss(4.5, 0.8)) * 100 + 0.5))
            mer.customers += 1
            if self.adopted:
                mer.adopter_customers += 1
            if self.adopted and mer.accepts and self.balance >= amount:
                self.balance -= amount
                mer.balance += amount
                m.ecny_payments += 1
                m.ecny_value += amount
                if self.balance < TOPUP_BELOW:
                    self.balance += TOPUP
                    m.issued += TOPUP
                    m.topups += 1
            else:
                m.cash_payments += 1
                m.cash_value += amount


class Merchant(mesa.Agent):
    def __init__(self, model):
        super().__init__(model)
        self.bank = model.random.randrange(BANKS)
        self.accepts = model.random.random() < 0.05
        self.customers = self.adopter_customers = 0
        self.balance = 0

    def end_of_day(self):
        if not self.accepts:
            share = self.adopter_customers / self.customers if self.customers else 0.0
            if self.random.random() < 0.01 + 0.5 * share:
                self.next_accepts = True
        self.customers = self.adopter_customers = 0
        self.model.redeemed += self.balance
        self.balance = 0


class Economy(mesa.Model):
    def __init__(self, n, seed):
        super().__init__(seed=seed)
        self.residents = [Resident(self) for _ in range(n)]
        self.merchant_list = [Merchant(self) for _ in range(n // 20)]
        for i, r in enumerate(self.residents):
            picks = set()
            while len(picks) < 8:
                j = self.random.randrange(n)
                if j != i:
                    picks.add(j)
            r.contacts = [self.residents[j] for j in picks]
        self.res_set = mesa.AgentSet(self.residents, random=self.random)
        self.mer_set = mesa.AgentSet(self.merchant_list, random=self.random)
        self.ecny_payments = self.ecny_value = self.cash_payments = self.cash_value = 0
        self.issued = self.redeemed = self.topups = 0
        self.new_adopters = []

    def step(self):
        self.new_adopters = []
        self.res_set.do("decide")
        for r in self.new_adopters:
            r.adopted = True
            r.balance += FUND
            self.issued += FUND
        self.res_set.shuffle_do("shop")
        for m in self.merchant_list:
            m.next_accepts = False
        self.mer_set.do("end_of_day")
        for m in self.merchant_list:
            if m.next_accepts:
                m.accepts = True


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    days = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    t0 = time.perf_counter()
    m = Economy(n, seed)
    for _ in range(days):
        m.step()
    sec = time.perf_counter() - t0
    held = sum(r.balance for r in m.residents) + sum(x.balance for x in m.merchant_list)
    if m.issued != held + m.redeemed:
        print("peer_mesa: invariant broken: issued != balances + redeemed", file=sys.stderr)
        return 1
    adopters = sum(1 for r in m.residents if r.adopted)
    print(f"residents={n} days={days} seconds={sec:.3f} ecny_payments={m.ecny_payments} adopters={adopters}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
