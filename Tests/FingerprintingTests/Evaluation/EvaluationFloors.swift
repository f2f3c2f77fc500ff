/// Accuracy floors (percent) the evaluation asserts: what the classifier reached on the labelled set when
/// the floors were last set (all, corpus review rows included: type 90.2, manufacturer 96.3, OS 100; the first
/// set without them: type 87.8; held-out: type 93.3, manufacturer 93.3), rounded down. The held-out type figure
/// rose with the product-line rules, written after the held-out devices had been looked at, and the review
/// rows were chosen after the classifier had been run on them (Evaluation/README.md says how). Raise them when
/// the rules improve; never lower one to make a change pass.
enum EvaluationFloors {
    static let type = 90.0
    static let manufacturer = 96.0
    static let os = 100.0
    static let holdoutType = 93.0
    static let holdoutManufacturer = 93.0
    /// The first set (the rows before the corpus review): the type target is not reached there.
    static let firstSetType = 87.0
    /// The namespace devices (scored apart, only when their capture exists; first scoring: type 100 (3/3), OS 80
    /// (4/5) — the AirPlay device states an Apple TV model, so tvOS outweighs its Linux SYN).
    static let namespaceType = 100.0
    static let namespaceOS = 80.0
}
