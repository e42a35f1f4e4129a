%% benchdb_beam: the incident's pieces on a real BEAM, for benchdb.
%%
%% Run as: erl -noshell -pa DIR -run benchdb_beam main CMD KEY=VALUE...
%%
%% Commands:
%%   receive   BenchmarkReceive/runtime=beam/mode=scan|marker/depth=D lines
%%   costs     s0 (live, at the rate, in ticks) and the service time S(n)
%%             at several queue depths, from which c(n) follows
%%   scenario  one live run: producers, router, code server, writers, pause
%%
%% Output is the Go benchmark format (Benchmark... lines) and, for what the
%% format cannot hold, lines that start with an upper-case word (Sample,
%% Result, Cost), which benchmark readers ignore. Errors go to stderr with
%% exit status 2.
-module(benchdb_beam).
-export([main/1, code_server/0, writer/0, producer/6]).

-define(PAYLOAD, 100).

main([Cmd | Args]) ->
    Opts = maps:from_list([kv(A) || A <- Args]),
    preload(),
    Status = try
                 run(Cmd, Opts),
                 0
             catch
                 Class:Reason:Stack ->
                     io:format(standard_error, "benchdb_beam ~s: ~p:~p~n~p~n",
                               [Cmd, Class, Reason, Stack]),
                     2
             end,
    halt(Status).

kv(A) ->
    case string:split(A, "=") of
        [K, V] -> {K, V};
        _ -> erlang:error({bad_argument, A})
    end.

%% preload loads the modules the router and the producers use before any
%% of them starts: erl loads a module on its first call, through the code
%% server, and the milliseconds that takes would hold up the router at
%% the start while the producers catch up on the events due, a backlog
%% that at high load is past n* before the run has begun.
preload() ->
    [{module, _} = code:ensure_loaded(M) || M <- [rand, lists, maps, math, erlang, string, io_lib]],
    rand:seed(exrop, {1, 2, 3}),
    _ = rand:uniform(8),
    ok.

opt(K, Opts, Default) -> maps:get(K, Opts, Default).
int(K, Opts, Default) -> list_to_integer(opt(K, Opts, integer_to_list(Default))).
ints(K, Opts, Default) ->
    [list_to_integer(S) || S <- string:lexemes(opt(K, Opts, Default), ",")].
strs(K, Opts, Default) -> string:lexemes(opt(K, Opts, Default), ",").

run("receive", Opts) -> receive_bench(Opts);
run("costs", Opts) -> costs(Opts);
run("scenario", Opts) -> scenario(Opts);
run("selftest", _) -> selftest();
run("version", _) ->
    io:format("Version otp=~s erts=~s schedulers=~b~n",
              [erlang:system_info(otp_release), erlang:system_info(version),
               erlang:system_info(schedulers_online)]);
run(Cmd, _) -> erlang:error({unknown_command, Cmd}).

procs() -> erlang:system_info(schedulers_online).
now_ns() -> erlang:monotonic_time(nanosecond).

queue_flag("on-heap") -> on_heap;
queue_flag("off-heap") -> off_heap;
queue_flag(Q) -> erlang:error({bad_queue, Q}).

%% The event a producer sends: {log, Name, Bin} with a 100-byte payload.
event(Name, I) ->
    {log, Name, <<I:32, 0:((?PAYLOAD - 5) * 8), $\n>>}.

%% ------------------------------------------------------------------
%% The code server and the two call shapes.

code_server() ->
    receive
        {code_call, From, _Req} ->
            From ! {code_server, true},
            code_server();
        {tagged_call, From, Ref} ->
            From ! {Ref, true},
            code_server();
        stop -> ok
    end.

%% OTP 20's code_server:call/1: the reply pattern does not hold the
%% monitor reference, so the receive scans the whole mailbox.
untagged_call(Cs) ->
    Ref = erlang:monitor(process, Cs),
    Cs ! {code_call, self(), ensure_loaded},
    receive
        {code_server, Reply} ->
            erlang:demonitor(Ref, [flush]),
            Reply;
        {'DOWN', Ref, process, _, _} ->
            exit(code_server_down)
    end.

%% gen_server:call's shape: every clause matches the fresh reference, so
%% the compiler's receive optimisation skips what was queued before it.
tagged_call(Cs) ->
    Ref = erlang:monitor(process, Cs),
    Cs ! {tagged_call, self(), Ref},
    receive
        {Ref, Reply} ->
            erlang:demonitor(Ref),
            Reply;
        {'DOWN', Ref, process, _, _} ->
            exit(code_server_down)
    end.

calls(0, _) -> ok;
calls(K, Cs) -> untagged_call(Cs), calls(K - 1, Cs).

%% ------------------------------------------------------------------
%% receive: one call round trip behind D queued events.

receive_bench(Opts) ->
    Benchtime = int("benchtime_ms", Opts, 100) * 1000000,
    Count = int("count", Opts, 1),
    Depths = ints("depths", Opts, "0,1000,10000,100000,1000000"),
    Modes = strs("modes", Opts, "scan,marker"),
    Queues = strs("queues", Opts, "on-heap,off-heap"),
    Cs = spawn(?MODULE, code_server, []),
    [receive_depth(Cs, Q, D, Modes, Benchtime, Count) || Q <- Queues, D <- Depths],
    Cs ! stop,
    ok.

receive_depth(Cs, Queue, Depth, Modes, Benchtime, Count) ->
    Parent = self(),
    {Pid, Mref} = spawn_opt(
        fun() ->
            fill(Depth),
            Lines = [receive_mode(Cs, Queue, Depth, M, Benchtime) || M <- Modes, _ <- lists:seq(1, Count)],
            Parent ! {self(), Lines}
        end,
        [monitor, {message_queue_data, queue_flag(Queue)}]),
    receive
        {Pid, Lines} ->
            erlang:demonitor(Mref, [flush]),
            [io:put_chars(L) || L <- Lines],
            ok;
        {'DOWN', Mref, process, Pid, Why} ->
            erlang:error({receive_bench, Depth, Why})
    end.

fill(N) ->
    Self = self(),
    Bin = element(3, event(<<"filler">>, 0)),
    lists:foreach(fun(_) -> Self ! {log, <<"filler">>, Bin} end, lists:seq(1, N)).

receive_mode(Cs, Queue, Depth, Mode, Benchtime) ->
    Op = case Mode of
             "scan" -> fun() -> untagged_call(Cs) end;
             "marker" -> fun() -> tagged_call(Cs) end
         end,
    {N, Ns} = autotime(Op, Benchtime),
    PerOp = Ns / N,
    QueueLevel = case Queue of "on-heap" -> ""; _ -> "/queue=" ++ Queue end,
    Extra = case Mode of
                "scan" -> io_lib:format("\t~.3f ns/msg", [PerOp / (Depth + 1)]);
                _ -> ""
            end,
    io_lib:format("BenchmarkReceive/runtime=beam/mode=~s/depth=~b~s-~b\t~b\t~.1f ns/op~s~n",
                  [Mode, Depth, QueueLevel, procs(), N, PerOp, Extra]).

%% autotime runs Op n times for growing n, as Go's testing package does,
%% until one batch takes at least Benchtime nanoseconds.
autotime(Op, Benchtime) -> autotime(Op, Benchtime, 1).
autotime(Op, Benchtime, N) ->
    T0 = now_ns(),
    repeat(Op, N),
    Ns = max(now_ns() - T0, 1),
    if
        Ns >= Benchtime; N >= 1000000000 -> {N, Ns};
        true ->
            Next = max(N + 1, min(100 * N, round(1.2 * N * Benchtime / Ns))),
            autotime(Op, Benchtime, Next)
    end.

repeat(_, 0) -> ok;
repeat(Op, N) -> Op(), repeat(Op, N - 1).

%% ------------------------------------------------------------------
%% The router's pieces: pick a writer as Enum.random does for a list
%% (a reservoir sample, one uniform draw per element) and forward.

pick([H | T]) -> pick(T, 2, H).
pick([], _, Chosen) -> Chosen;
pick([H | T], I, Chosen) ->
    case rand:uniform(I) of
        1 -> pick(T, I + 1, H);
        _ -> pick(T, I + 1, Chosen)
    end.

writer() ->
    receive
        {log, _, _} -> writer();
        stop -> ok
    end.

start_writers(P) -> [spawn(?MODULE, writer, []) || _ <- lists:seq(1, P)].
stop_writers(Ws) -> [W ! stop || W <- Ws], ok.

%% handle takes the event at the head of the mailbox and serves it.
handle(Calls, Cs, Writers) ->
    receive
        {log, _, _} = Ev ->
            calls(Calls, Cs),
            pick(Writers) ! Ev
    end.

%% ------------------------------------------------------------------
%% Producers: each sends its share of the rate, paced by the clock in
%% ticks of TickMs (0 is taken as 1 ms, the BEAM's finest timer step).
%% The ticks are absolute timers at whole multiples of the tick: a
%% relative `receive after 1` waits for the timer wheel's next step after
%% at least 1 ms, so it ticked every 2 to 2.5 ms (measured: bursts of
%% 100 events every 2 ms at 50,000/s where the model was told 50 every
%% 1 ms).

producer(Router, Share, TickMs, Name, Start, Log) ->
    rand:seed(exrop, {erlang:phash2(Name), 2, 3}),
    Tick = max(TickMs, 1),
    producer_loop(Router, Share, Tick, Name, Start, 0, Log,
                  erlang:monotonic_time(millisecond) + Tick).

%% producer_loop sends, at each tick, the events due by the clock since
%% the last: a tick that comes late (the producer was not scheduled in
%% time) sends the events of the ticks it missed at once, as a producer
%% paced by the clock does. With Log an ets table (not none) it records
%% each tick's time, events sent and lateness (how long after its timer
%% was due it ran, in ns), as {{Name, T}, N, Late}: the scenario's
%% Arrivals line, and the runtime's stalls in the cost measurement.
producer_loop(Router, Share, Tick, Name, Start, Done, Log, Next) ->
    Timer = erlang:start_timer(Next, self(), tick, [{abs, true}]),
    receive
        stop ->
            erlang:cancel_timer(Timer),
            ok;
        {timeout, Timer, tick} ->
            T = now_ns(),
            Due = trunc(Share * (T - Start) / 1.0e9),
            send_events(Router, Name, Done, Due),
            Log =/= none andalso ets:insert(Log, {{Name, T}, Due - Done, T - Next * 1000000}),
            Next1 = max(Next + Tick, erlang:monotonic_time(millisecond) + 1),
            producer_loop(Router, Share, Tick, Name, Start, max(Done, Due), Log, Next1)
    end.

send_events(_, _, I, Due) when I >= Due -> ok;
send_events(Router, Name, I, Due) ->
    Router ! event(Name, I),
    send_events(Router, Name, I + 1, Due).

start_producers(Router, Rate, N, TickMs) -> start_producers(Router, Rate, N, TickMs, none).
start_producers(Router, Rate, N, TickMs, Log) ->
    Start = now_ns(),
    [spawn(?MODULE, producer, [Router, Rate / N, TickMs, list_to_binary("producer-" ++ integer_to_list(I)), Start, Log])
     || I <- lists:seq(1, N)].

stop_all(Pids) -> [P ! stop || P <- Pids], ok.

%% ------------------------------------------------------------------
%% costs: s0 at the rate, live, and S(n) at several depths.

%% stopped_share returns the share of a live run of LiveMs milliseconds
%% that its two producers stood still in Stalls ({T, Late}: a tick T ns
%% after the run's start that came Late ns after its timer). A stall is
%% counted from the run's start at the earliest: a producer held up
%% before the run began (the runtime stopped during the router's 200 ms
%% start, as under load) stood still in the run only from then. A
%% producer's late spells do not overlap (its next timer is set after the
%% late tick), so the share is at most one; summing whole latenesses gave
%% 1.86 on a loaded machine, which the parser rightly refused.
stopped_share(Stalls, LiveMs) ->
    lists:sum([min(L, T) || {T, L} <- Stalls]) / (2 * LiveMs * 1.0e6).

%% selftest checks the harness's pure functions and prints "Selftest ok";
%% a failed check crashes it (exit status 2).
selftest() ->
    Ms = 1000000,
    0.0025 = stopped_share([{1 * Ms, Ms div 2}], 100),
    %% Held up 300 ms from 250 ms before the run: 50 ms of it in the run.
    0.25 = stopped_share([{50 * Ms, 300 * Ms}], 100),
    %% Both producers stood still all run long: just under one.
    0.99 = stopped_share([{99 * Ms, 400 * Ms}, {99 * Ms, 400 * Ms}], 100),
    io:format("Selftest ok~n").

costs(Opts) ->
    Rate = list_to_float(opt("rate", Opts, "50000.0")),
    Calls = int("calls", Opts, 1),
    TickMs = int("tick_ms", Opts, 1),
    Workers = int("workers", Opts, 8),
    Queue = queue_flag(opt("queue", Opts, "on-heap")),
    LiveMs = int("live_ms", Opts, 1000),
    Depths = ints("depths", Opts, "0,1000,3000,10000,30000,100000"),
    Events = int("events", Opts, 2000),
    Backlogs = ints("backlogs", Opts, "1000,3000,10000,30000"),
    Cs = spawn(?MODULE, code_server, []),
    Writers = start_writers(Workers),
    {S0, All, LowN, Arr, Handled, Qs, Stalls} = live_s0(Rate, Calls, TickMs, Queue, LiveMs, Cs, Writers),
    Stopped = stopped_share(Stalls, LiveMs),
    io:format("Cost s0=~.6e rate=~.1f handled=~b calls=~b s0_all=~.6e short_queue=~b queue_median=~.1f queue_mean=~.1f queue_samples=~b live_ms=~b stopped=~.4f~n",
              [S0, Arr, Handled, Calls, All, LowN, median(Qs), lists:sum(Qs) / max(length(Qs), 1), length(Qs), LiveMs, Stopped]),
    [io:format("Stall t_ms=~.3f late_us=~.1f~n", [T / 1.0e6, L / 1.0e3]) || {T, L} <- Stalls],
    [begin
         S = service_at(D, Events, Calls, Queue, Cs, Writers),
         io:format("Cost isolated_depth=~b service=~.6e~n", [D, S])
     end || D <- Depths],
    Bins = lists:foldl(fun(B, Acc) ->
                               merge_bins(Acc, live_service(Rate, Calls, TickMs, Queue, B, Cs, Writers))
                       end, #{}, Backlogs),
    [io:format("Cost depth=~.1f service=~.6e cycle=~.6e events=~b~n",
               [SumN / C, SumS / C / 1.0e9, SumC / CC / 1.0e9, C])
     || {_, {SumN, SumS, C, SumC, CC}} <- lists:sort(maps:to_list(Bins)), C >= 20, CC >= 20],
    stop_writers(Writers),
    Cs ! stop,
    ok.

%% live_service measures S(n) in a live run: the router stops until
%% Backlog events are queued, then serves them while the producers go on
%% at the rate, timing each event against the queue behind it, until the
%% queue has drained or has grown to twice the backlog (or 3 s have
%% passed). Events are grouped by queue length in bins of an eighth of a
%% power of two; each bin gives its mean queue length, mean service time,
%% mean cycle time and count. These are the costs as the live system pays
%% them: the scans, the garbage collections of a growing heap, the
%% arrivals during each call. The cycle time (reported as the service
%% time too: the router is timed in windows of events, not per event,
%% see service_loop) runs from taking one event to taking the next, with
%% the router never idle in between (its queue is not empty): it counts
%% what the router loses between events, when the
%% scheduler runs the producers, writers and code server instead, or
%% collects its garbage, or the machine's other programs take the
%% schedulers' threads. 1/cycle is the rate the router can keep up with
%% at that queue length, which is what decides whether a backlog drains.
live_service(Rate, Calls, TickMs, Queue, Backlog, Cs, Writers) ->
    Parent = self(),
    Router = spawn_opt(fun() ->
                               rand:seed(exrop, {1, 2, 3}),
                               wait_backlog(Backlog),
                               Deadline = now_ns() + 3000000000,
                               Bins = service_loop(Calls, Cs, Writers, 2 * Backlog, Deadline, none, #{}),
                               Parent ! {bins, self(), Bins}
                       end, [{message_queue_data, Queue}]),
    Producers = start_producers(Router, Rate, 2, TickMs),
    receive
        {bins, Router, Bins} ->
            stop_all(Producers),
            exit(Router, kill),
            Bins
    end.

merge_bins(A, B) ->
    maps:fold(fun(K, {N, S, C, SC, CC}, Acc) ->
                      {N0, S0, C0, SC0, CC0} = maps:get(K, Acc, {0, 0, 0, 0, 0}),
                      Acc#{K => {N0 + N, S0 + S, C0 + C, SC0 + SC, CC0 + CC}}
              end, A, B).

wait_backlog(Backlog) ->
    {message_queue_len, Q} = process_info(self(), message_queue_len),
    if
        Q >= Backlog -> ok;
        true -> receive after 1 -> ok end, wait_backlog(Backlog)
    end.

%% service_loop serves the backlog in windows of ?WINDOW events, as the
%% scenario's router serves it: nothing is timed or recorded per event,
%% only the clock and the queue's length at the ends of each window. A
%% window starts only with at least ?WINDOW events queued, so the router
%% never waits within it, and its cycle time per event (the time it took
%% over its events) is the router's time per event with the queue at the
%% mean of its two ends. Timing every event (two clock reads, a
%% process_info and a map update each, about 0.5 us, and the garbage the
%% map updates make on a heap that holds the queue) measured an
%% instrumented router, not the scenario's.
-define(WINDOW, 16).

service_loop(Calls, Cs, Writers, Cap, Deadline, Prev, Bins) ->
    {message_queue_len, Q} = process_info(self(), message_queue_len),
    T0 = now_ns(),
    if
        Q < ?WINDOW; Q >= Cap; T0 >= Deadline -> Bins;
        true ->
            serve_n(Calls, Cs, Writers, ?WINDOW),
            T1 = now_ns(),
            {message_queue_len, Q1} = process_info(self(), message_queue_len),
            N = (Q - 1 + Q1) / 2,
            Dt = T1 - T0,
            Bin = bin(round(N)),
            {SN, SS, C, SC, CC} = maps:get(Bin, Bins, {0, 0, 0, 0, 0}),
            service_loop(Calls, Cs, Writers, Cap, Deadline, Prev,
                         Bins#{Bin => {SN + N * ?WINDOW, SS + Dt, C + ?WINDOW, SC + Dt, CC + ?WINDOW}})
    end.

serve_n(_, _, _, 0) -> ok;
serve_n(Calls, Cs, Writers, N) ->
    handle(Calls, Cs, Writers),
    serve_n(Calls, Cs, Writers, N - 1).

%% bin numbers queue lengths in steps of an eighth of a power of two (9%):
%% fine enough to place a step in S(n), where the scan's working set
%% leaves a cache level, to within a few per cent of n.
bin(N) when N < 16 -> 0;
bin(N) -> round(8 * math:log2(N)).

%% live_s0 runs the router at the rate and, after a warm-up of 200 ms,
%% for LiveMs times each event from taking it to having forwarded it,
%% with the length of the queue behind it: the s0 of a live system,
%% contention with the producers, writers and code server included. s0 is
%% the mean over the events served with fewer than ?S0_QUEUE events behind
%% them (a burst of a 1 ms tick, or less): where the router falls behind
%% for a while (a garbage collection, a scheduler taken by another
%% program), the events it then serves scan a longer queue, and that is
%% the model's k·c(n)·n, not its s0. The mean over all events, and how
%% many were served with a short queue, are reported beside it.
%% When the queue reaches ?S0_FLUSH (the router fell behind by more than
%% a tick's burst at any rate it is measured at), the router drops it: at
%% high load the backlog of one hiccup may be past n*, and a router that
%% then ran away would serve no event with a short queue for the rest of
%% the measurement.
-define(S0_QUEUE, 64).
-define(S0_FLUSH, 1000).
%% ?STALL is the least lateness of a producer's tick reported as a stall
%% of the runtime (a tick runs some 10 to 100 us after its timer on a
%% quiet machine).
-define(STALL, 300000).

flush_events() ->
    receive
        {log, _, _} -> flush_events()
    after 0 -> ok
    end.
live_s0(Rate, Calls, TickMs, Queue, LiveMs, Cs, Writers) ->
    Parent = self(),
    From = now_ns() + 200 * 1000000,
    Deadline = From + LiveMs * 1000000,
    Log = ets:new(ticks, [public, set, {write_concurrency, true}]),
    Router = spawn_opt(fun() ->
                               rand:seed(exrop, {1, 2, 3}),
                               Acc = s0_loop(Calls, Cs, Writers, From, Deadline, {0, 0, 0, 0}),
                               Parent ! {s0, self(), Acc}
                       end, [{message_queue_data, Queue}]),
    Producers = start_producers(Router, Rate, 2, TickMs, Log),
    {{Busy, N, LowBusy, LowN}, Qs} = s0_sample(Router, From, Deadline, []),
    stop_all(Producers),
    exit(Router, kill),
    Stalls = lists:sort([{T - From, Late} || {{_, T}, _, Late} <- ets:tab2list(Log),
                                             T >= From, T < Deadline, Late >= ?STALL]),
    ets:delete(Log),
    All = Busy / max(N, 1) / 1.0e9,
    S0 = case LowN >= 100 of
             true -> LowBusy / LowN / 1.0e9;
             false -> All
         end,
    {S0, All, LowN, N / (LiveMs / 1.0e3), N, Qs, Stalls}.

%% s0_sample reads the router's queue every 10 ms or so, at a random
%% point of a millisecond (a timer alone would wake the sampler on the
%% timer wheel's step, with the producers' ticks, and read the queue just
%% before or after their burst), while s0 is measured, until the router
%% reports: the queue at a moment that does not know the ticks, as the
%% moment a pause begins. It spins at most a millisecond in ten.
s0_sample(Router, From, Deadline, Qs) ->
    receive
        {s0, Router, Acc} -> {Acc, Qs}
    after 9 ->
        spin_until(now_ns() + rand:uniform(1000000)),
        Now = now_ns(),
        Qs1 = case Now >= From andalso Now < Deadline andalso process_info(Router, message_queue_len) of
                  {message_queue_len, Q} -> [Q | Qs];
                  _ -> Qs
              end,
        s0_sample(Router, From, Deadline, Qs1)
    end.

median([]) -> 0.0;
median(Xs) ->
    S = lists:sort(Xs),
    L = length(S),
    (lists:nth((L + 1) div 2, S) + lists:nth(L div 2 + 1, S)) / 2.

s0_loop(Calls, Cs, Writers, From, Deadline, {Busy, N, LowBusy, LowN} = Acc) ->
    receive
        {log, _, _} = Ev ->
            {message_queue_len, Q} = process_info(self(), message_queue_len),
            T0 = now_ns(),
            calls(Calls, Cs),
            pick(Writers) ! Ev,
            T1 = now_ns(),
            Dt = T1 - T0,
            if
                T1 >= Deadline -> Acc;
                Q >= ?S0_FLUSH ->
                    flush_events(),
                    s0_loop(Calls, Cs, Writers, From, Deadline, Acc);
                T0 < From -> s0_loop(Calls, Cs, Writers, From, Deadline, Acc);
                Q < ?S0_QUEUE ->
                    s0_loop(Calls, Cs, Writers, From, Deadline, {Busy + Dt, N + 1, LowBusy + Dt, LowN + 1});
                true ->
                    s0_loop(Calls, Cs, Writers, From, Deadline, {Busy + Dt, N + 1, LowBusy, LowN})
            end
    end.

%% service_at returns the mean time to serve one event with D events
%% queued behind it: the router takes the head event, makes its calls,
%% picks and forwards; one event is sent to the back for each one taken,
%% so the depth stays D.
service_at(D, Events, Calls, Queue, Cs, Writers) ->
    Parent = self(),
    {Pid, Mref} = spawn_opt(
        fun() ->
            rand:seed(exrop, {1, 2, 3}),
            Self = self(),
            fill(D + 1),
            Ev = event(<<"costs">>, 0),
            %% warm up: one round through the queue's head
            [begin Self ! Ev, handle(Calls, Cs, Writers) end || _ <- lists:seq(1, 50)],
            T0 = now_ns(),
            [begin Self ! Ev, handle(Calls, Cs, Writers) end || _ <- lists:seq(1, Events)],
            Parent ! {self(), (now_ns() - T0) / Events / 1.0e9}
        end,
        [monitor, {message_queue_data, Queue}]),
    receive
        {Pid, S} -> erlang:demonitor(Mref, [flush]), S;
        {'DOWN', Mref, process, Pid, Why} -> erlang:error({service_at, D, Why})
    end.

%% ------------------------------------------------------------------
%% scenario: one live run.

scenario(Opts) ->
    Rate = list_to_float(opt("rate", Opts, "50000.0")),
    Calls = int("calls", Opts, 1),
    TickMs = int("tick_ms", Opts, 1),
    Workers = int("workers", Opts, 8),
    QueueName = opt("queue", Opts, "on-heap"),
    Queue = queue_flag(QueueName),
    AtMs = int("at_ms", Opts, 300),
    PauseUs = int("pause_us", Opts, 100000),
    DurationMs = int("duration_ms", Opts, 5000),
    Cap = int("cap", Opts, 100000),
    DrainQ = int("drain", Opts, 500),
    SettleMs = int("settle_ms", Opts, 100),
    SampleMs = int("sample_ms", Opts, 10),
    TraceMs = int("trace_ms", Opts, 0),
    Log = ets:new(arrivals, [public, set, {write_concurrency, true}]),
    Cs = spawn(?MODULE, code_server, []),
    Writers = start_writers(Workers),
    Self = self(),
    Start = now_ns(),
    PauseAt = Start + AtMs * 1000000,
    Router = spawn_opt(fun() ->
                               rand:seed(exrop, {1, 2, 3}),
                               route(Calls, Cs, Writers, PauseAt, PauseUs, Self, {TraceMs, Log})
                       end, [{message_queue_data, Queue}]),
    Producers = start_producers(Router, Rate, 2, TickMs, Log),
    Res = sample(#{router => Router, start => Start, cap => Cap, drain => DrainQ,
                   settle => SettleMs * 1000000, every => SampleMs,
                   deadline => Start + DurationMs * 1000000},
                 undefined, none, 0, 0),
    End = now_ns(),
    stop_all(Producers),
    exit(Router, kill),
    stop_writers(Writers),
    Cs ! stop,
    {Outcome, Peak, PeakMem, DrainNs, Final, Window} = Res,
    Elapsed = End - Start,
    arrivals(Log, Window, Rate, PauseUs),
    Runaway = case Outcome of runaway -> 1; drained -> 0 end,
    DrainMs = case DrainNs of undefined -> 0.0; _ -> DrainNs / 1.0e6 end,
    Tick = case TickMs of 0 -> "0s"; _ -> integer_to_list(TickMs) ++ "ms" end,
    QueueLevel = case QueueName of "on-heap" -> ""; _ -> "/queue=" ++ QueueName end,
    io:format("Result outcome=~s peak_queue=~b peak_memory=~b drain_ms=~.3f final_queue=~b elapsed_ms=~.3f~n",
              [Outcome, Peak, PeakMem, DrainMs, Final, Elapsed / 1.0e6]),
    io:format("BenchmarkScenario/runtime=beam/rate=~b/pause=~s/calls=~b/tick=~s~s-~b\t1\t~b ns/op\t~b runaway\t~b peak-queue\t~.3f drain-ms\t~b peak-B~n",
              [round(Rate), duration(PauseUs), Calls, Tick, QueueLevel, procs(), Elapsed, Runaway, Peak, DrainMs, PeakMem]),
    ok.

duration(Us) when Us rem 1000000 =:= 0 -> integer_to_list(Us div 1000000) ++ "s";
duration(Us) when Us rem 1000 =:= 0 -> integer_to_list(Us div 1000) ++ "ms";
duration(Us) -> integer_to_list(Us) ++ "us".

%% route is the router: at PauseAt it stops for PauseUs, then tells the
%% sampler when it resumed, with its queue when it stopped and when it
%% resumed, how long it stopped and how late it stopped (a router that
%% had fallen behind before the pause takes its pause late, on a queue
%% that is already long).
route(Calls, Cs, Writers, PauseAt, PauseUs, Sampler, {TraceMs, Log} = Trace) ->
    Now = now_ns(),
    Left = (PauseAt - Now) div 1000000,
    if
        Left =< 0, Now < PauseAt ->
            %% Less than a millisecond to go: serve what is there and look
            %% again, so that the pause begins at PauseAt itself, at a
            %% random phase of the producers' ticks (a timer would wake
            %% the router on the timer wheel's step, with the producers'
            %% burst: the pause began on a burst, not on the queue of a
            %% random moment).
            receive
                {log, _, _} = Ev ->
                    calls(Calls, Cs),
                    pick(Writers) ! Ev
            after 0 -> erlang:yield()
            end,
            route(Calls, Cs, Writers, PauseAt, PauseUs, Sampler, Trace);
        Left =< 0 ->
            {message_queue_len, Q0} = process_info(self(), message_queue_len),
            P0 = now_ns(),
            sleep_until(P0 + PauseUs * 1000),
            {message_queue_len, Q1} = process_info(self(), message_queue_len),
            P1 = now_ns(),
            Sampler ! {resumed, P1, {Q0, Q1, P1 - P0, P0 - PauseAt}},
            trace_loop(Calls, Cs, Writers, P1 + TraceMs * 1000000, Log),
            route_loop(Calls, Cs, Writers);
        true ->
            receive
                {log, _, _} = Ev ->
                    calls(Calls, Cs),
                    pick(Writers) ! Ev
            after Left -> ok
            end,
            route(Calls, Cs, Writers, PauseAt, PauseUs, Sampler, Trace)
    end.

%% trace_loop serves in windows of ?WINDOW events until End (or until
%% the queue is shorter than a window), recording the time and the queue
%% at the start of each window as {{router, T}, Q} in Log: the queue
%% after the pause, as the router sees it (the clock and the queue read
%% once per window, as service_loop does in the cost measurement).
trace_loop(Calls, Cs, Writers, End, Log) ->
    {message_queue_len, Q} = process_info(self(), message_queue_len),
    T = now_ns(),
    if
        Q < ?WINDOW; T >= End -> ok;
        true ->
            ets:insert(Log, {{router, T}, Q, 0}),
            serve_n(Calls, Cs, Writers, ?WINDOW),
            trace_loop(Calls, Cs, Writers, End, Log)
    end.

route_loop(Calls, Cs, Writers) ->
    handle(Calls, Cs, Writers),
    route_loop(Calls, Cs, Writers).

%% sleep_until waits without looking at the mailbox (a receive with no
%% clauses), to a millisecond, then spins the rest.
sleep_until(T) ->
    Left = (T - now_ns()) div 1000000,
    if
        Left > 1 -> receive after Left - 1 -> ok end, sleep_until(T);
        true -> spin_until(T)
    end.
spin_until(T) ->
    case now_ns() >= T of
        true -> ok;
        false -> erlang:yield(), spin_until(T)
    end.

%% (Erlang's monotonic time may be negative: "not yet" is an atom.)
%% sample records the router's queue every few milliseconds and decides
%% the outcome, as benchdb's Go scenario does.
sample(#{router := R, start := Start, cap := Cap, drain := DrainQ, settle := Settle,
         every := Every, deadline := Deadline} = S, Resumed0, Low, Peak, PeakMem) ->
    Resumed = receive
                  {resumed, T, {Q0, Q1, Paused, Late}} ->
                      io:format("Pause start_queue=~b resume_queue=~b paused_us=~.1f late_us=~.1f~n",
                                [Q0, Q1, Paused / 1000, Late / 1000]),
                      put(pause_window, {T - Paused, T}),
                      T
              after 0 -> Resumed0
              end,
    Now = now_ns(),
    [{message_queue_len, Q}, {memory, Mem}] = process_info(R, [message_queue_len, memory]),
    io:format("Sample t=~.6f queue=~b memory=~b~n", [(Now - Start) / 1.0e9, Q, Mem]),
    Peak1 = max(Peak, Q),
    PeakMem1 = max(PeakMem, Mem),
    if
        Q >= Cap -> {runaway, Peak1, PeakMem1, undefined, Q, get(pause_window)};
        Resumed =/= undefined, Q =< DrainQ, Low =/= none, Now - Low >= Settle ->
            {drained, Peak1, PeakMem1, max(Low - Resumed, 0), Q, get(pause_window)};
        Now >= Deadline -> {runaway, Peak1, PeakMem1, undefined, Q, get(pause_window)};
        true ->
            Low1 = if
                       Resumed =/= undefined, Q =< DrainQ, Low =/= none -> Low;
                       Resumed =/= undefined, Q =< DrainQ -> Now;
                       true -> none
                   end,
            receive after Every -> ok end,
            sample(S, Resumed, Low1, Peak1, PeakMem1)
    end.

%% arrivals writes what the producers sent around the pause, from the
%% ticks they logged: one line with the events sent in each millisecond
%% from 10 ms before the pause began to max(3 pauses, 30 ms) after it
%% ended, and one with the totals the model assumes (lambda times the
%% pause's length) beside what arrived, and the producers' lag (events
%% due by the clock but not yet sent) when the pause began and ended;
%% then the router's queue after the pause (Trace lines, if traced).
arrivals(_, undefined, _, _) -> ok;
arrivals(Log, {P0, P1}, Rate, PauseUs) ->
    Ticks = [{T, N} || {{Name, T}, N, _} <- ets:tab2list(Log), Name =/= router],
    Until = P1 + max(3 * PauseUs * 1000, 30000000),
    From = P0 - 10000000,
    Bins = lists:foldl(fun({T, N}, Acc) when T >= From, T < Until ->
                               B = floor((T - P0) / 1000000),
                               Acc#{B => maps:get(B, Acc, 0) + N};
                          (_, Acc) -> Acc
                       end, #{}, Ticks),
    Lo = -10, Hi = (Until - P0) div 1000000,
    Counts = lists:join(",", [integer_to_list(maps:get(B, Bins, 0)) || B <- lists:seq(Lo, Hi - 1)]),
    io:format("Arrivals from_ms=~b counts=~s~n", [Lo, Counts]),
    Sum = fun(A, B) -> lists:sum([N || {T, N} <- Ticks, T >= A, T < B]) end,
    io:format("Arrived during=~b expected=~.1f after=~b expected_after=~.1f~n",
              [Sum(P0, P1), Rate * (P1 - P0) / 1.0e9,
               Sum(P1, P1 + PauseUs * 1000), Rate * PauseUs / 1.0e6]),
    [io:format("Trace t_ms=~.3f queue=~b~n", [(T - P1) / 1.0e6, Q])
     || {{router, T}, Q, _} <- lists:sort(ets:tab2list(Log))],
    ok.
