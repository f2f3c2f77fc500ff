/// LanscopeCore: the value types every lanscope module shares — addresses, time, observations,
/// devices. Pure: no I/O, no clocks read here (time arrives through `Clock`), Foundation-free.
public enum LanscopeCore {}
