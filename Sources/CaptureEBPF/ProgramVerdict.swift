/// Return values of the programs, for comparing with `TestRunResult.returnValue`.
public enum ProgramVerdict {
    public static let xdpPass: UInt32 = 2
    public static let tcActionOK: UInt32 = 0
}
