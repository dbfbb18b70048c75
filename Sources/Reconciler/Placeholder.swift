import Manifest
