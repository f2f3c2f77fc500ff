/// Accuracy floors (percent) the evaluation asserts: what the classifier reached on the labelled set when
/// the floors were last set (all: type 75.6, manufacturer 95.1, OS 100; held-out: type 66.7, manufacturer
/// 93.3), rounded down. Raise them when the rules improve; never lower one to make a change pass.
/// The type target (≥ 90 %) is not reached: see Evaluation/README.md for why.
enum EvaluationFloors {
    static let type = 75.0
    static let manufacturer = 95.0
    static let os = 100.0
    static let holdoutType = 66.0
    static let holdoutManufacturer = 93.0
}
