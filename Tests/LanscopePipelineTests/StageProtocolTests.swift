import Detection
import Inventory
import LanscopeCore
import LanscopePipeline
import Testing

